package dev.sapwood;

import static dev.sapwood.TestUtil.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database more than ten times its cache: written in random key order, read back, scanned both
 * ways, checkpointed, reopened and read again. Values are incompressible, so the file is as large
 * as the data.
 */
class LargerThanCacheTest {
  @TempDir Path dir;

  @Test
  void databaseTwelveTimesTheCacheReadsBackAndScans() {
    run(0x1A26E5L, 60_000, 200, 1 << 20);
  }

  @Tag("stress")
  @Test
  void databaseHundredTimesTheCacheReadsBackAndScans() {
    run(System.nanoTime(), 1_000_000, 100, 1 << 20);
  }

  /** 16-byte keys: 8 bytes that scatter the keys, then the index, so random order and unique. */
  private static byte[] key(long i) {
    long h = mix(i);
    byte[] k = new byte[16];
    for (int b = 0; b < 8; b++) {
      k[b] = (byte) (h >>> (56 - 8 * b));
      k[8 + b] = (byte) (i >>> (56 - 8 * b));
    }
    return k;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  private static byte[] value(long seed, long i, int size) {
    byte[] v = new byte[size];
    new SplittableRandom(seed ^ mix(i + 1)).nextBytes(v);
    return v;
  }

  private void run(long seed, int n, int valueSize, long cache) {
    try {
      runUnchecked(seed, n, valueSize, cache);
    } catch (Throwable t) {
      throw new AssertionError("seed=" + seed, t);
    }
  }

  private void runUnchecked(long seed, int n, int valueSize, long cache) throws Exception {
    Options options = Options.defaults().nodeSize(64 << 10).basementSize(16 << 10).cacheSize(cache);
    long[] sorted = new long[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = i;
    }
    // Key order: sort the indexes by their keys once, to check scans without keeping the values.
    Long[] boxed = Arrays.stream(sorted).boxed().toArray(Long[]::new);
    Arrays.sort(boxed, (a, b) -> Arrays.compareUnsigned(key(a), key(b)));
    for (int i = 0; i < n; i++) {
      sorted[i] = boxed[i];
    }

    try (Database db = Database.open(dir, options)) {
      Tree t = db.tree("big");
      for (int i = 0; i < n; i++) {
        t.put(key(i), value(seed, i, valueSize));
      }
      readAll(t, seed, seed, n, valueSize, "after writing");
      scanBothWays(t, seed, sorted, valueSize, "after writing");
      db.checkpoint();
      long size = Files.size(dir.resolve("sapwood.db"));
      assertTrue(size >= 10 * cache, "the file (" + size + " bytes) should be at least 10x the cache (" + cache + ")");
      Stats s = db.stats();
      long evictions = s.counters().entrySet().stream()
          .filter(e -> e.getKey().contains("evict"))
          .mapToLong(e -> e.getValue())
          .sum();
      assertTrue(evictions > 0, () -> "a database 10x its cache must evict:\n" + s);
    }
    try (Database db = Database.open(dir, options)) {
      Tree t = db.tree("big");
      readAll(t, seed, seed ^ 0x5EED, n, valueSize, "after reopen");
      scanBothWays(t, seed, sorted, valueSize, "after reopen");
      // Overwrite and delete some keys of a cold tree, then read them back.
      for (int i = 0; i < n; i += 10) {
        t.delete(key(i));
      }
      for (int i = 5; i < n; i += 10) {
        t.put(key(i), value(seed + 1, i, valueSize));
      }
      for (int i = 0; i < n; i += 5) {
        byte[] expected = i % 10 == 0 ? null : value(seed + 1, i, valueSize);
        final int ii = i;
        assertArrayEquals(expected, t.get(key(i)), () -> "after changes: key #" + ii + " " + hex(key(ii)));
      }
    }
  }

  /** Reads every key in a random order (seeded by {@code orderSeed}). */
  private static void readAll(Tree t, long seed, long orderSeed, int n, int valueSize, String when) {
    SplittableRandom r = new SplittableRandom(orderSeed);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int x = order[i];
      order[i] = order[j];
      order[j] = x;
    }
    for (int i : order) {
      final int ii = i;
      assertArrayEquals(value(seed, i, valueSize), t.get(key(i)), () -> when + ": key #" + ii + " " + hex(key(ii)));
    }
  }

  private static void scanBothWays(Tree t, long seed, long[] sorted, int valueSize, String when) {
    try (Cursor c = t.cursor()) {
      int i = 0;
      for (boolean ok = c.first(); ok; ok = c.next(), i++) {
        assertTrue(i < sorted.length, when + ": forward scan returned more keys than were written");
        long idx = sorted[i];
        final int at = i;
        assertArrayEquals(key(idx), c.key(), () -> when + ": forward scan position " + at);
        assertArrayEquals(value(seed, idx, valueSize), c.value(), () -> when + ": forward scan value at " + at);
      }
      assertEquals(sorted.length, i, when + ": forward scan count");
      i = sorted.length - 1;
      for (boolean ok = c.last(); ok; ok = c.prev(), i--) {
        assertTrue(i >= 0, when + ": backward scan returned more keys than were written");
        long idx = sorted[i];
        final int at = i;
        assertArrayEquals(key(idx), c.key(), () -> when + ": backward scan position " + at);
      }
      assertEquals(-1, i, when + ": backward scan count");
    }
  }
}
