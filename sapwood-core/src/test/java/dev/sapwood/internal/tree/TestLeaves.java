package dev.sapwood.internal.tree;

import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Leaves built directly into a test's cache: keys "key%05d" with 40-byte values, 1 KiB basements. */
final class TestLeaves {
  private TestLeaves() {}

  /**
   * A tree context over a new in-memory block file {@code /db/<fileName>}: {@code nodeSize} nodes,
   * 1 KiB basements, fanout 4, no compression, a 64 MiB cache, ADD_LONG for every function name.
   */
  static TreeContext smallContext(String fileName, int nodeSize, Counters counters) {
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db", fileName),
        new Header.Settings(nodeSize, 1024, 4, Compressors.NONE));
    return new TreeContext(file, 64 << 20, nodeSize, 1024, 4, Compressors.NONE,
        name -> UpdateFunctions.ADD_LONG, 0, counters);
  }

  static byte[] key(int i) {
    return String.format("key%05d", i).getBytes(StandardCharsets.UTF_8);
  }

  /** A block number no tree of a test's context has as its root: the tree of hand-built nodes. */
  static final long HAND_BUILT_ROOT = Long.MAX_VALUE;

  /**
   * A new node of {@code ctx}'s hand-built tree ({@link #HAND_BUILT_ROOT}), knowing it as every
   * node the cache publishes does ({@link NodeOwners}); not yet in the cache.
   */
  static Node handBuilt(TreeContext ctx) {
    return handBuilt(ctx, new Node(ctx.file.allocateBlockNumber()));
  }

  /** {@code node}, made by a test, now of {@code ctx}'s hand-built tree (see {@link #handBuilt(TreeContext)}). */
  static Node handBuilt(TreeContext ctx, Node node) {
    node.versions = ctx.owners.register(HAND_BUILT_ROOT);
    node.rows = ctx.owners.rows(HAND_BUILT_ROOT);
    return node;
  }

  /**
   * A new node to be the root of {@code ctx}'s hand-built tree, registered under its own block as
   * a tree's root is (a {@link BeTree} opened on it, a load through no parent, find it so); every
   * cached node of the hand-built tree moves to its tree (tests build the nodes below a root
   * first). Not yet in the cache.
   */
  static Node handBuiltRoot(TreeContext ctx) {
    Node root = new Node(ctx.file.allocateBlockNumber());
    Versions hand = ctx.owners.register(HAND_BUILT_ROOT);
    root.versions = ctx.owners.register(root.key());
    root.rows = ctx.owners.rows(root.key());
    ctx.cache.forEach(n -> {
      if (n.versions == hand) {
        n.versions = root.versions;
        n.rows = root.rows;
      }
    });
    return root;
  }

  /** A new dirty leaf holding keys [from, to), inserted into {@code ctx}'s cache and left write-pinned. */
  static Node pinnedLeaf(TreeContext ctx, int from, int to) {
    Node leaf = ctx.cache.insertPinned(handBuilt(ctx));
    BasementBuilder b = new BasementBuilder(1024, 4096, 0);
    byte[] v = new byte[40];
    for (int i = from; i < to; i++) {
      byte[] k = key(i);
      b.emit(k, 0, k.length, v, 0, v.length);
    }
    List<Basement> basements = b.finish();
    List<byte[]> pivots = new ArrayList<>();
    for (int i = 1; i < basements.size(); i++) {
      pivots.add(basements.get(i).key(0));
    }
    leaf.setLeaf(pivots.toArray(new byte[0][]), basements.toArray(new Basement[0]));
    leaf.dirty = true;
    return leaf;
  }

  /** Like {@link #pinnedLeaf}, let go at once: the new leaf's block number. */
  static long unpinnedLeaf(TreeContext ctx, int from, int to) {
    Node leaf = pinnedLeaf(ctx, from, to);
    ctx.cache.unpinWrite(leaf);
    return leaf.key();
  }
}
