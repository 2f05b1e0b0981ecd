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
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Forward chunk reads on a tree larger than the cache (its basements' frames and its buffers'
 * frames peeked, not fetched: {@link ChunkFrames}, {@link Partitions#bufferForRange}) give, chunk
 * after chunk, the entries of a TreeMap model: seeks from random keys, with random limits and
 * random stop bounds, over puts, deletes, updates and range deletes, some still in internal
 * nodes' buffers and leaves' delta segments; and backward chunks, which peek buffers' frames too.
 */
class ChunkPeekModelTest {
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  private static final byte[] APPEND = "sapwood.append".getBytes(StandardCharsets.UTF_8);
  private static final int[] LIMITS = {1, 2, 11, 16, 64, 1_000, Integer.MAX_VALUE};

  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/chunks.sap"),
      new Header.Settings(128 << 10, 32 << 10, 8, Compressors.LZ4));

  private TreeContext context(long cache, Counters counters) {
    return new TreeContext(file, cache, 128 << 10, 32 << 10, 8, Compressors.LZ4, BUILT_INS, 0, counters);
  }

  private static byte[] key(int i) {
    return String.format("key%07d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] v) {
    return new String(v, StandardCharsets.ISO_8859_1);
  }

  private static void mutate(BeTree tree, TreeMap<String, String> model, Random rnd, int space, int ops) {
    for (int op = 0; op < ops; op++) {
      int k = rnd.nextInt(space);
      int what = rnd.nextInt(100);
      String ks = text(key(k));
      if (what < 70) {
        String v = "v" + op + "-" + "x".repeat(rnd.nextInt(60));
        tree.put(key(k), v.getBytes(StandardCharsets.ISO_8859_1));
        model.put(ks, v);
      } else if (what < 85) {
        tree.delete(key(k));
        model.remove(ks);
      } else if (what < 99) {
        tree.update(key(k), APPEND, new byte[] {'+'});
        model.merge(ks, "+", String::concat);
      } else {
        int to = Math.min(space, k + 1 + rnd.nextInt(50));
        tree.deleteRange(key(k), key(to));
        model.subMap(ks, text(key(to))).clear();
      }
    }
  }

  @Test
  void seeksThroughPeekedFramesPastTheCacheMatchTheModel() {
    long seed = new Random().nextLong();
    System.out.println("ChunkPeekModelTest seed " + seed);
    Random rnd = new Random(seed);
    int space = 40_000;
    TreeMap<String, String> model = new TreeMap<>();
    TreeContext warm = context(64 << 20, new Counters());
    long root = BeTree.create(warm);
    BeTree tree = new BeTree(warm, root);
    mutate(tree, model, rnd, space, 60_000);
    warm.nodes.writeDirtyNodes();
    mutate(tree, model, rnd, space, 8_000); // later messages: in buffers, and in leaves' deltas once flushed
    warm.nodes.writeDirtyNodes();
    file.checkpoint(root, warm.lastMsn(), 0);

    Counters counters = new Counters();
    TreeContext cold = context(256 << 10, counters); // far below the tree: basements and buffers are peeked
    BeTree coldTree = new BeTree(cold, tree.rootBlock());
    for (int seek = 0; seek < 3_000; seek++) {
      byte[] from = key(rnd.nextInt(space + 100));
      byte[] stop = rnd.nextInt(4) == 0 ? key(rnd.nextInt(space + 100)) : null;
      if (stop != null && Keys.compare(stop, from) <= 0) {
        stop = null;
      }
      int limit = LIMITS[rnd.nextInt(LIMITS.length)];
      int want = 1 + rnd.nextInt(seek % 50 == 0 ? 5_000 : 40);
      List<String> seen = new ArrayList<>();
      byte[] at = from;
      while (seen.size() < want) {
        Chunk c = coldTree.readForward(at, stop, limit);
        assertTrue(c.size() <= limit, "a chunk within its limit (seed " + seed + ")");
        for (int i = 0; i < c.size(); i++) {
          seen.add(text(c.key(i)) + "=" + text(c.value(i)));
        }
        if (c.atEnd()) {
          break;
        }
        assertTrue(Keys.compare(c.next(), at) > 0, "a chunk moves on (seed " + seed + ")");
        at = c.next();
      }
      Map<String, String> range = stop == null ? model.tailMap(text(from), true) : model.subMap(text(from), text(stop));
      List<String> expected = new ArrayList<>();
      for (Map.Entry<String, String> e : range.entrySet()) {
        if (expected.size() == seen.size()) {
          break;
        }
        expected.add(e.getKey() + "=" + e.getValue());
      }
      assertEquals(expected, seen, "seek from " + text(from) + " to " + (stop == null ? "the end" : text(stop))
          + ", limit " + limit + " (seed " + seed + ")");
    }
    for (int seek = 0; seek < 300; seek++) { // backward chunks peek buffers' frames of their range too
      byte[] to = key(rnd.nextInt(space + 100));
      byte[] stop = rnd.nextInt(4) == 0 ? key(rnd.nextInt(space + 100)) : null;
      if (stop != null && Keys.compare(stop, to) >= 0) {
        stop = null;
      }
      int want = 1 + rnd.nextInt(200);
      List<String> seen = new ArrayList<>();
      byte[] at = to;
      while (seen.size() < want) {
        Chunk c = coldTree.readBackward(at, stop);
        for (int i = c.size() - 1; i >= 0; i--) {
          seen.add(text(c.key(i)) + "=" + text(c.value(i)));
        }
        if (c.atEnd()) {
          break;
        }
        at = c.next();
      }
      Map<String, String> range = (stop == null ? model.headMap(text(to), false) : model.subMap(text(stop), true, text(to), false)).descendingMap();
      List<String> expected = new ArrayList<>();
      for (Map.Entry<String, String> e : range.entrySet()) {
        if (expected.size() == seen.size()) {
          break;
        }
        expected.add(e.getKey() + "=" + e.getValue());
      }
      assertEquals(expected, seen, "backward from " + text(to) + " (seed " + seed + ")");
    }
    assertTrue(counters.counter("cache.basement_frame_peeks").sum() > 1_000,
        "chunks peeked basements' frames: " + counters.counter("cache.basement_frame_peeks").sum());
    assertTrue(counters.counter("cache.buffer_frame_peeks").sum() > 100,
        "and buffers' frames: " + counters.counter("cache.buffer_frame_peeks").sum());
    file.close();
  }
}
