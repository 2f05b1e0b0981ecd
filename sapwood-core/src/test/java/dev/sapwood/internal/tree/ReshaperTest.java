package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

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
import org.junit.jupiter.api.Test;

/** A fusible child merges with its neighbour, or, if the two are too big for one node, rebalances. */
class ReshaperTest {
  private static final int NODE = 4096;
  private final Counters counters = new Counters();
  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/reshape.sap"),
      new Header.Settings(NODE, 1024, 4, Compressors.NONE));
  private final TreeContext ctx = new TreeContext(file, 64 << 20, NODE, 1024, 4, Compressors.NONE,
      name -> UpdateFunctions.ADD_LONG, 0, counters);

  private static byte[] key(int i) {
    return String.format("key%05d", i).getBytes(StandardCharsets.UTF_8);
  }

  /** A leaf holding keys [from, to) with 40-byte values, split into basements of 1 KiB. */
  private Node leaf(int from, int to) {
    Node leaf = ctx.cache.insertPinned(new Node(file.allocateBlockNumber()));
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

  private Node parentOf(Node left, Node right, int firstRightKey) {
    Node p = ctx.cache.insertPinned(new Node(file.allocateBlockNumber()));
    p.setInternal(1, new byte[][] {key(firstRightKey)}, new long[] {left.key(), right.key()},
        new MessageBuffer[] {new MessageBuffer(), new MessageBuffer()});
    p.dirty = true;
    return p;
  }

  private static List<String> keys(Node leaf) {
    List<String> out = new ArrayList<>();
    for (Basement b : leaf.basements) {
      for (int i = 0; i < b.count(); i++) {
        out.add(new String(b.key(i), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  @Test
  void twoSmallLeavesMergeIntoOne() {
    Node left = leaf(0, 5);
    Node right = leaf(5, 10);
    ctx.cache.unpinWrite(right);
    Node parent = parentOf(left, right, 5);
    long rightBlock = right.key();
    assertTrue(ctx.fusible(left));
    assertNull(ctx.flusher.reshaper().reshapeChild(parent, 0, left));
    assertEquals(1, parent.n, "the parent lost a child");
    assertEquals(1, counters.counter("merge.leaf").sum());
    assertNull(ctx.cache.pinWriteIfCached(rightBlock), "the right leaf left the cache");
    assertEquals(rightBlock, file.allocateBlockNumber(), "the right leaf's block number was freed for reuse");
    Node merged = ctx.cache.pinRead(parent.children[0]);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      expected.add(String.format("key%05d", i));
    }
    assertEquals(expected, keys(merged));
    ctx.cache.unpinRead(merged);
    ctx.cache.unpinWrite(parent);
  }

  @Test
  void aSmallLeafBesideAFullOneRebalances() {
    Node left = leaf(0, 3);
    Node right = leaf(3, 80); // about 4 KiB: merged with the left one it would not fit a node
    ctx.cache.unpinWrite(right);
    Node parent = parentOf(left, right, 3);
    assertTrue(ctx.fusible(left));
    assertNull(ctx.flusher.reshaper().reshapeChild(parent, 0, left));
    assertEquals(1, counters.counter("merge.rebalance").sum());
    assertEquals(0, counters.counter("merge.leaf").sum());
    assertEquals(2, parent.n, "merged and split again into two");
    Node a = ctx.cache.pinRead(parent.children[0]);
    Node b = ctx.cache.pinRead(parent.children[1]);
    List<String> all = new ArrayList<>(keys(a));
    all.addAll(keys(b));
    assertEquals(80, all.size());
    assertTrue(keys(a).size() > 3, "the left leaf took over entries: " + keys(a).size());
    assertTrue(Keys.compare(parent.pivots[0], b.basements[0].key(0)) <= 0, "pivot at or below the right's first key");
    assertTrue(Keys.compare(parent.pivots[0], a.basements[a.n - 1].key(a.basements[a.n - 1].count() - 1)) > 0,
        "pivot above the left's last key");
    ctx.cache.unpinRead(a);
    ctx.cache.unpinRead(b);
    ctx.cache.unpinWrite(parent);
  }
}
