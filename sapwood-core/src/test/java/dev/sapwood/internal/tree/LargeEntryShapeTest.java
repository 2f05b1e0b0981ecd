package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.Compressors;
import dev.sapwood.internal.store.Header;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Entries near or above a node's size: leaves split down to one entry each if need be, internal
 * nodes split when their pivots are large, and the bytes of nodes written stay a small multiple of
 * the bytes put.
 */
class LargeEntryShapeTest {
  private final Counters counters = new Counters();

  /** A tree of the given shape over an in-memory file; closed with the test's file. */
  private record Fixture(BlockFile file, TreeContext ctx, BeTree tree) implements AutoCloseable {
    @Override
    public void close() {
      file.close();
    }
  }

  private Fixture fixture(int nodeSize, int basementSize, int fanout) {
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/large.sap"),
        new Header.Settings(nodeSize, basementSize, fanout, Compressors.NONE));
    TreeContext ctx = new TreeContext(file, 1L << 30, nodeSize, basementSize, fanout, Compressors.NONE,
        MessageApplierTest.resolver(), 0, counters);
    return new Fixture(file, ctx, new BeTree(ctx, BeTree.create(ctx)));
  }

  private static byte[] value(Random rnd, int size) {
    byte[] v = new byte[size];
    rnd.nextBytes(v);
    return v;
  }

  /** Keys 0..count-1 in a shuffled order. */
  private static List<Integer> shuffled(int count, Random rnd) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      order.add(i);
    }
    Collections.shuffle(order, rnd);
    return order;
  }

  private static void assertAllThere(BeTree tree, TreeMap<byte[], byte[]> model, String tag) {
    for (var e : model.entrySet()) {
      assertArrayEquals(e.getValue(), tree.get(e.getKey()), tag + "get " + MessageBufferTest.str(e.getKey()));
    }
  }

  private long counter(String name) {
    return counters.counter(name).sum();
  }

  @ParameterizedTest(name = "node={0} basement={1} fanout={2} values={3}x{4}")
  @CsvSource({
      "1048576, 32768, 16, 40, 1500000", // default shape, the forty 1.5 MB values
      "4096, 1024, 4, 120, 10000", // small nodes, values of 2.5 nodes
      "16384, 4096, 4, 60, 20000"})
  void valuesLargerThanANodeSplitDownToOneEntryPerLeaf(int nodeSize, int basementSize, int fanout,
      int count, int valueSize) {
    long seed = nodeSize + count;
    String tag = "seed " + seed + ": ";
    Random rnd = new Random(seed);
    try (Fixture f = fixture(nodeSize, basementSize, fanout)) {
      TreeMap<byte[], byte[]> model = MessageApplierTest.newModel();
      for (int i : shuffled(count, rnd)) {
        byte[] k = TreeShapeTest.key(i);
        byte[] v = value(rnd, valueSize - rnd.nextInt(valueSize / 10));
        f.tree.put(k, v);
        model.put(k, v);
      }
      f.tree.flushAll();
      TreeVerifier.Stats s = TreeVerifier.verify(f.ctx, f.tree.rootBlock());
      assertEquals(0, s.crowdedOversizedLeaves, tag + s);
      assertEquals(count, s.leaves, tag + "one value per leaf: " + s);
      assertTrue(s.maxLeafBytes <= valueSize + 64, tag + s);
      // every split counted changed the tree: a leaf split that kept one piece was once counted too
      assertTrue(counter("split.leaf") <= s.leaves + counter("merge.leaf") + counter("merge.rebalance"),
          tag + counters.snapshot() + " " + s);
      assertAllThere(f.tree, model, tag);
      f.ctx.nodes.writeDirtyNodes();
      assertAllThere(f.tree, model, tag + "after writing: ");
    }
  }

  @Test
  void smallEntriesBesideGiantOnesFillLeavesUpToTheNodeSize() {
    Random rnd = new Random(7);
    int nodeSize = 16 << 10;
    try (Fixture f = fixture(nodeSize, 4 << 10, 4)) {
      TreeMap<byte[], byte[]> model = MessageApplierTest.newModel();
      for (int i : shuffled(600, rnd)) {
        byte[] k = TreeShapeTest.key(i);
        byte[] v = value(rnd, i % 50 == 0 ? 3 * nodeSize : 100);
        f.tree.put(k, v);
        model.put(k, v);
      }
      f.tree.flushAll();
      TreeVerifier.Stats s = TreeVerifier.verify(f.ctx, f.tree.rootBlock());
      assertEquals(0, s.crowdedOversizedLeaves, s.toString());
      assertTrue(s.maxLeafBytes <= 3 * nodeSize + 64, s.toString());
      // 60 KiB of small entries and 12 giants: small entries share leaves instead of one each
      assertTrue(s.leaves < 12 + 600 / 10, s.toString());
      assertAllThere(f.tree, model, "");
    }
  }

  @ParameterizedTest(name = "basement={0} fanout={1}")
  @CsvSource({"4096, 4", "16384, 16"})
  void keysOfHalfANodeAndMoreMakeLeavesAndInternalNodesNearTheNodeSize(int basementSize, int fanout) {
    long seed = 300 + basementSize + fanout;
    Random rnd = new Random(seed);
    String tag = "seed " + seed + ": ";
    int nodeSize = 16 << 10;
    try (Fixture f = fixture(nodeSize, basementSize, fanout)) {
      TreeMap<byte[], byte[]> model = MessageApplierTest.newModel();
      for (int i : shuffled(300, rnd)) {
        byte[] k = new byte[(8 << 10) + rnd.nextInt(8 << 10)];
        rnd.nextBytes(k);
        byte[] v = value(rnd, 20);
        f.tree.put(k, v);
        model.put(k, v);
      }
      f.tree.flushAll();
      TreeVerifier.Stats s = TreeVerifier.verify(f.ctx, f.tree.rootBlock());
      assertEquals(0, s.crowdedOversizedLeaves, tag + s);
      assertTrue(s.maxLeafBytes <= nodeSize + (16 << 10), tag + s);
      // an internal node holds at most half a node of pivots, or three children's two pivots
      assertTrue(s.maxPivotBytes <= Math.max(nodeSize / 2, 2 * ((16 << 10) + 2)), tag + s);
      assertAllThere(f.tree, model, tag);
    }
  }

  /**
   * Node bytes written per byte put, with a checkpoint's worth of writing every few puts: large
   * values must cost about what small ones do, not the whole leaf again per value.
   */
  @Test
  void writingLargeValuesWritesAboutTheirOwnBytesInNodes() {
    Random rnd = new Random(11);
    try (Fixture f = fixture(1 << 20, 32 << 10, 16)) {
      long user = 0;
      List<Integer> order = shuffled(40, rnd);
      for (int i = 0; i < order.size(); i++) {
        byte[] k = TreeShapeTest.key(order.get(i));
        byte[] v = value(rnd, 1_500_000);
        f.tree.put(k, v);
        user += k.length + v.length;
        if (i % 4 == 3) {
          f.ctx.nodes.writeDirtyNodes();
        }
      }
      f.tree.flushAll();
      f.ctx.nodes.writeDirtyNodes();
      long leaf = counter("node.leaf_bytes_written");
      long all = counter("node.bytes_written");
      assertTrue(all <= 3 * user, "node bytes " + all + " (leaves " + leaf + ") for " + user + " bytes put");
    }
  }
}
