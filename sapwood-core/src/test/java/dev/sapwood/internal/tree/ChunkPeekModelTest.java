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
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Forward chunk reads on a tree larger than the cache (its basements' frames and its buffers'
 * frames peeked, not fetched: {@link ChunkFrames}, {@link Partitions#bufferForRange}) give, chunk
 * after chunk, the entries of a TreeMap model: seeks from random keys, with random limits and
 * random stop bounds, over puts, deletes, updates and range deletes, some still in internal
 * nodes' buffers and leaves' delta segments; and backward chunks with random limits growing as a
 * cursor's do, which peek basements' and buffers' frames too. The same on the warm tree, whose
 * resident basements' chunks are cut to their limit's entries ({@link ChunkReader}).
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

  /**
   * Forward chunks from random keys (random limits and stops) and backward chunks below random keys
   * (random limits), each followed chunk after chunk, against the model.
   */
  private static void checkChunks(BeTree t, TreeMap<String, String> model, Random rnd, int space, long seed,
      int forwardSeeks, int backwardSeeks) {
    for (int seek = 0; seek < forwardSeeks; seek++) {
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
        Chunk c = t.readForward(at, stop, limit);
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
    for (int seek = 0; seek < backwardSeeks; seek++) { // backward chunks peek basements' and buffers' frames too
      byte[] to = rnd.nextInt(50) == 0 ? null : key(rnd.nextInt(space + 100));
      byte[] stop = rnd.nextInt(4) == 0 ? key(rnd.nextInt(space + 100)) : null;
      if (stop != null && to != null && Keys.compare(stop, to) >= 0) {
        stop = null;
      }
      int limit = LIMITS[rnd.nextInt(LIMITS.length)];
      int want = 1 + rnd.nextInt(seek % 50 == 0 ? 2_000 : 200);
      List<String> seen = new ArrayList<>();
      byte[] at = to;
      while (seen.size() < want) {
        Chunk c = t.readBackward(at, stop, limit, Long.MAX_VALUE);
        for (int i = c.size() - 1; i >= 0; i--) {
          seen.add(text(c.key(i)) + "=" + text(c.value(i)));
        }
        if (c.atEnd()) {
          break;
        }
        assertTrue(at == null || Keys.compare(c.next(), at) < 0, "a backward chunk moves on (seed " + seed + ")");
        at = c.next();
        limit = (int) Math.min(Integer.MAX_VALUE, limit * 4L);
      }
      NavigableMap<String, String> desc = (to == null ? model : model.headMap(text(to), false)).descendingMap();
      List<String> expected = new ArrayList<>();
      for (Map.Entry<String, String> e : desc.entrySet()) {
        if (expected.size() == seen.size() || stop != null && e.getKey().compareTo(text(stop)) < 0) {
          break;
        }
        expected.add(e.getKey() + "=" + e.getValue());
      }
      assertEquals(expected, seen, "backward from " + (to == null ? "the end" : text(to)) + ", limit " + limit + " (seed " + seed + ")");
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
    checkChunks(coldTree, model, rnd, space, seed, 3_000, 600);
    checkChunks(tree, model, rnd, space, seed, 500, 200); // the warm tree: whole basements, ranges cut to the limit
    Counters backCounters = new Counters();
    BeTree backTree = new BeTree(context(256 << 10, backCounters), tree.rootBlock());
    checkChunks(backTree, model, rnd, space, seed, 0, 300);
    assertTrue(backCounters.counter("cache.basement_frame_peeks").sum() > 100,
        "backward chunks peeked basements' frames: " + backCounters.counter("cache.basement_frame_peeks").sum());
    assertTrue(counters.counter("read.chunk_peeks_empty").sum() <= counters.counter("read.chunk_peeks").sum());
    assertTrue(counters.counter("cache.basement_frame_peeks").sum() > 1_000,
        "chunks peeked basements' frames: " + counters.counter("cache.basement_frame_peeks").sum());
    assertTrue(counters.counter("cache.buffer_frame_peeks").sum() > 100,
        "and buffers' frames: " + counters.counter("cache.buffer_frame_peeks").sum());
    file.close();
  }
}
