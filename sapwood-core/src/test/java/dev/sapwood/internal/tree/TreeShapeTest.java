package dev.sapwood.internal.tree;

import static dev.sapwood.internal.tree.MessageBufferTest.str;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TreeShapeTest {

  static byte[] key(int i) {
    return String.format("key%07d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static long counter(Counters c, String name) {
    return c.counter(name).sum();
  }

  private static void assertContents(BeTree tree, TreeMap<byte[], byte[]> model, String phase, Random rnd) {
    // forward walk
    List<byte[]> fk = new ArrayList<>();
    List<byte[]> fv = new ArrayList<>();
    byte[] from = null;
    for (int guard = 0; ; guard++) {
      assertTrue(guard < 1_000_000, phase + ": forward walk does not end");
      Chunk c = tree.readForward(from);
      for (int i = 0; i < c.size(); i++) {
        if (from != null) {
          assertTrue(Keys.compare(c.key(i), from) >= 0, phase + ": forward chunk key " + str(c.key(i)) + " below " + str(from));
        }
        if (!fk.isEmpty()) {
          assertTrue(Keys.compare(fk.get(fk.size() - 1), c.key(i)) < 0, phase + ": forward walk out of order at " + str(c.key(i)));
        }
        fk.add(c.key(i));
        fv.add(c.value(i));
      }
      if (c.atEnd()) {
        break;
      }
      assertTrue(from == null || Keys.compare(c.next(), from) > 0, phase + ": forward walk does not advance");
      from = c.next();
    }
    assertWalkEquals(model, fk, fv, phase + " forward");
    // backward walk
    List<byte[]> bk = new ArrayList<>();
    List<byte[]> bv = new ArrayList<>();
    byte[] to = null;
    for (int guard = 0; ; guard++) {
      assertTrue(guard < 1_000_000, phase + ": backward walk does not end");
      Chunk c = tree.readBackward(to);
      for (int i = c.size() - 1; i >= 0; i--) {
        if (to != null) {
          assertTrue(Keys.compare(c.key(i), to) < 0, phase + ": backward chunk key " + str(c.key(i)) + " not below " + str(to));
        }
        if (!bk.isEmpty()) {
          assertTrue(Keys.compare(c.key(i), bk.get(bk.size() - 1)) < 0, phase + ": backward walk out of order at " + str(c.key(i)));
        }
        bk.add(c.key(i));
        bv.add(c.value(i));
      }
      if (c.atEnd()) {
        break;
      }
      assertTrue(to == null || Keys.compare(c.next(), to) < 0, phase + ": backward walk does not advance");
      to = c.next();
    }
    Collections.reverse(bk);
    Collections.reverse(bv);
    assertWalkEquals(model, bk, bv, phase + " backward");
    // point reads: every key of the model plus some absent ones
    for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
      assertArrayEquals(e.getValue(), tree.get(e.getKey()), phase + ": get " + str(e.getKey()));
    }
    for (int i = 0; i < 200; i++) {
      byte[] k = key(rnd.nextInt(1_000_000));
      assertArrayEquals(model.get(k), tree.get(k), phase + ": get " + str(k));
    }
  }

  private static void assertWalkEquals(TreeMap<byte[], byte[]> model, List<byte[]> keys, List<byte[]> values, String what) {
    assertEquals(model.size(), keys.size(), what + ": entry count");
    int i = 0;
    for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
      assertArrayEquals(e.getKey(), keys.get(i), what + ": key " + i);
      assertArrayEquals(e.getValue(), values.get(i), what + ": value of " + str(e.getKey()));
      i++;
    }
  }

  @ParameterizedTest(name = "nodeSize={0} cacheBytes={1} codec={2}")
  @CsvSource({"4096, 67108864, 0", "16384, 67108864, 1", "4096, 262144, 2"})
  void treeGrowsSplitsFlushesAndShrinksBackWithMerges(int nodeSize, long cacheBytes, byte codec) {
    long seed = nodeSize * 31L + cacheBytes + codec;
    Random rnd = new Random(seed);
    String tag = "seed " + seed + ": ";
    MemoryFileIo io = new MemoryFileIo();
    Counters counters = new Counters();
    try (BlockFile file = BlockFile.create(io, Path.of("/db/shape.sap"), new Header.Settings(nodeSize, 1024, 4, codec))) {
      TreeContext ctx = new TreeContext(file, cacheBytes, nodeSize, 1024, 4, codec,
          MessageApplierTest.resolver(), 0, counters);
      long root = BeTree.create(ctx);
      BeTree tree = new BeTree(ctx, root);
      TreeMap<byte[], byte[]> model = MessageApplierTest.newModel();

      // ---- grow ----
      int count = nodeSize == 4096 ? 12_000 : 30_000;
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        order.add(i * 7);
      }
      Collections.shuffle(order, rnd);
      int peakNodes = 0;
      for (int i = 0; i < count; i++) {
        byte[] k = key(order.get(i));
        byte[] v = new byte[10 + rnd.nextInt(30)];
        rnd.nextBytes(v);
        tree.put(k, v);
        model.put(k, v);
        assertEquals(root, tree.rootBlock());
        if (i % 3000 == 2999) {
          TreeVerifier.Stats s = TreeVerifier.verify(ctx, root);
          peakNodes = Math.max(peakNodes, s.nodes);
          if (i % 6000 == 5999) {
            ctx.nodes.writeDirtyNodes();
          }
        }
      }
      TreeVerifier.Stats grown = TreeVerifier.verify(ctx, root);
      peakNodes = Math.max(peakNodes, grown.nodes);
      assertTrue(grown.height >= 2, tag + "height after growth: " + grown);
      // A gorged node is flushed until it is no longer gorged; flushing one child per visit once
      // let interior nodes grow to about fanout times the node size.
      assertTrue(grown.maxBufferedBytes <= 5L * nodeSize / 2, tag + "an internal node buffers too much: " + grown);
      assertTrue(counter(counters, "split.leaf") > 0, tag + counters.snapshot());
      assertTrue(counter(counters, "split.nonleaf") > 0, tag + counters.snapshot());
      // A new tree is a root of height 1 over a leaf; each root split adds a level.
      assertTrue(counter(counters, "split.root") >= grown.height - 1, tag + counters.snapshot());
      assertTrue(counter(counters, "flush.total") > 0, tag + counters.snapshot());
      long cascades = 0;
      for (int d = 1; d <= TreeCounters.MAX_CASCADE_DEPTH; d++) {
        cascades += counter(counters, "flush.cascade_depth_" + d + (d == TreeCounters.MAX_CASCADE_DEPTH ? "_or_more" : ""));
      }
      assertTrue(cascades > 0, tag + counters.snapshot());
      if (cacheBytes < 1_000_000) {
        assertTrue(ctx.cacheUsedBytes() <= cacheBytes * 2, tag + "cache uses " + ctx.cacheUsedBytes());
      }
      assertContents(tree, model, tag + "after growth", rnd);
      TreeVerifier.verify(ctx, root);

      // ---- overwrite and update a few through the buffers ----
      for (int i = 0; i < 2000; i++) {
        byte[] k = key(order.get(rnd.nextInt(count)));
        byte[] arg = {(byte) i};
        tree.update(k, "sapwood.append".getBytes(StandardCharsets.UTF_8), arg);
        byte[] old = model.get(k);
        byte[] nv = Arrays.copyOf(old, old.length + 1);
        nv[old.length] = (byte) i;
        model.put(k, nv);
      }
      assertContents(tree, model, tag + "after updates", rnd);
      TreeVerifier.verify(ctx, root);

      // ---- shrink: delete everything, then push the deletes down ----
      Collections.shuffle(order, rnd);
      for (int i = 0; i < count; i++) {
        byte[] k = key(order.get(i));
        tree.delete(k);
        model.remove(k);
      }
      TreeVerifier.verify(ctx, root);
      assertContents(tree, model, tag + "after deleting every key", rnd);
      int extra = 0;
      for (int round = 0; round < 400; round++) {
        for (int j = 0; j < 200; j++) {
          byte[] k = key(1 + 7 * rnd.nextInt(count) + rnd.nextInt(6)); // never a key of the first phase
          if (rnd.nextBoolean()) {
            byte[] v = new byte[20];
            rnd.nextBytes(v);
            tree.put(k, v);
            model.put(k, v);
          } else {
            tree.delete(k);
            model.remove(k);
          }
          extra++;
        }
        // keep the model small so the tree can shrink: delete what we added
        if (model.size() > 100) {
          for (byte[] k : new ArrayList<>(model.keySet()).subList(0, model.size() - 50)) {
            tree.delete(k);
            model.remove(k);
          }
        }
        if (round % 20 == 19) {
          TreeVerifier.Stats s = TreeVerifier.verify(ctx, root);
          if (counter(counters, "merge.leaf") > 0 && s.nodes * 4 < peakNodes) {
            break;
          }
        }
      }
      TreeVerifier.Stats shrunk = TreeVerifier.verify(ctx, root);
      assertTrue(counter(counters, "merge.leaf") > 0, tag + "no leaf merge after " + extra + " extra ops: " + counters.snapshot());
      assertTrue(shrunk.nodes * 4 < peakNodes, tag + "tree did not shrink: peak " + peakNodes + " nodes, now " + shrunk
          + " counters " + counters.snapshot());
      if (cacheBytes > 1_000_000) {
        // nothing is evicted with a large cache: the cache holds exactly the tree's nodes
        assertEquals(shrunk.nodes, ctx.cachedNodes(), tag + "cached nodes vs tree nodes");
      }
      assertContents(tree, model, tag + "after shrinking", rnd);
      ctx.nodes.writeDirtyNodes();
      // Counted again after the write: a leaf's unwritten delta messages become a segment block of
      // their own only when written (Node.deltaTailBlock), so the walk above does not count them.
      TreeVerifier.Stats written = TreeVerifier.verify(ctx, root);
      assertEquals(written.nodes + written.deltas, file.counters().get("store.blocks").intValue(),
          tag + "blocks in use after writing every node (and every leaf's delta)");
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @CsvSource({"1", "2", "3", "4"})
  void randomOperationsOfEveryKindMatchAModel(long seed) {
    Random rnd = new Random(seed);
    Counters counters = new Counters();
    try (BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/ops.sap"), new Header.Settings(4096, 1024, 4, Compressors.LZ4))) {
      TreeContext ctx = new TreeContext(file, 200_000, 4096, 1024, 4, Compressors.LZ4, MessageApplierTest.resolver(), 0, counters);
      long root = BeTree.create(ctx);
      BeTree tree = new BeTree(ctx, root);
      TreeMap<byte[], byte[]> model = MessageApplierTest.newModel();
      FunctionResolver fns = MessageApplierTest.resolver();
      long msn = 0;
      for (int i = 0; i < 30_000; i++) {
        int t = rnd.nextInt(100);
        byte[] k = key(rnd.nextInt(3000));
        MessageBufferTest.Msg m;
        if (t < 55) {
          byte[] v = new byte[5 + rnd.nextInt(40)];
          rnd.nextBytes(v);
          m = new MessageBufferTest.Msg(MessageType.PUT, ++msn, k, v, null);
          tree.put(k, v);
        } else if (t < 80) {
          m = new MessageBufferTest.Msg(MessageType.DELETE, ++msn, k, new byte[0], null);
          tree.delete(k);
        } else if (t < 98) {
          byte[] arg = MessageBufferTest.b("+" + (i % 10));
          m = new MessageBufferTest.Msg(MessageType.UPDATE, ++msn, k, arg, "sapwood.append");
          tree.update(k, "sapwood.append".getBytes(StandardCharsets.UTF_8), arg);
        } else {
          byte[] end = key(rnd.nextInt(3000) + rnd.nextInt(60));
          if (Keys.compare(k, end) >= 0) {
            continue;
          }
          m = new MessageBufferTest.Msg(MessageType.DELETE_RANGE, ++msn, k, end, null);
          tree.deleteRange(k, end);
        }
        MessageApplierTest.applyToModel(model, m, fns);
        if (i % 5000 == 4999) {
          TreeVerifier.verify(ctx, root);
          assertContents(tree, model, "seed " + seed + " after " + (i + 1) + " ops", rnd);
          if (rnd.nextBoolean()) {
            ctx.nodes.writeDirtyNodes();
          }
        }
      }
      assertEquals(0, counter(counters, "update.failed"));
    }
  }
}
