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

  /** A new dirty leaf holding keys [from, to), inserted into {@code ctx}'s cache and left write-pinned. */
  static Node pinnedLeaf(TreeContext ctx, int from, int to) {
    Node leaf = ctx.cache.insertPinned(new Node(ctx.file.allocateBlockNumber()));
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
