package dev.sapwood;

import static dev.sapwood.TestUtil.hex;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers on disjoint key ranges, writers on shared counters and shared keys, readers, scanners and
 * checkpoints, all at once on one tree with small nodes (so splits and flushes race with readers),
 * then an exact check of what every writer did, before and after a reopen.
 *
 * <p>Key layout: {@code w<t>/<i>} belongs to writer t (value derived from the key), {@code ctr/<c>}
 * are ADD_LONG counters every writer adds to, {@code shared/<s>} are put by every writer (the final
 * value must be some writer's last value), {@code pair/<i>/a|b} are written together in a batch.
 */
class ConcurrencyTest {
  private static final int COUNTERS = 16;
  private static final int SHARED = 32;

  @TempDir Path dir;

  @Test
  void concurrentWritersReadersAndScansSeeConsistentData() {
    long seed = System.nanoTime();
    assertTimeoutPreemptively(Duration.ofMinutes(3), () -> run(seed, 4, 3, 6_000, 1 << 20),
        "seed=" + seed + " (timeout: a deadlock or livelock?)");
  }

  @Tag("stress")
  @Test
  void concurrentWritersReadersAndScansUnderStress() {
    long seed = System.nanoTime();
    assertTimeoutPreemptively(Duration.ofMinutes(20), () -> run(seed, 8, 4, 60_000, 256 << 10),
        "seed=" + seed);
  }

  private static byte[] writerKey(int t, int i) {
    return String.format("w%d/%07d", t, i).getBytes(UTF_8);
  }

  private static byte[] writerValue(int t, int i) {
    byte[] v = new byte[20 + (i * 31 + t) % 300];
    for (int j = 0; j < v.length; j++) {
      v[j] = (byte) (i * 7 + j * 13 + t);
    }
    return v;
  }

  /** Writer t deletes some of its keys again: every 7th singly, and a range near its end. */
  private static boolean deletedSingly(int i) {
    return i % 7 == 3;
  }

  private static int rangeFrom(int n) {
    return n - n / 10;
  }

  private static int rangeTo(int n) {
    return n - n / 20;
  }

  private static boolean expectedPresent(int i, int n) {
    return !deletedSingly(i) && !(i >= rangeFrom(n) && i < rangeTo(n));
  }

  private static byte[] counterKey(int c) {
    return String.format("ctr/%02d", c).getBytes(UTF_8);
  }

  private static byte[] sharedKey(int s) {
    return String.format("shared/%02d", s).getBytes(UTF_8);
  }

  private static byte[] sharedValue(int t, int seq) {
    return String.format("writer %d seq %d", t, seq).getBytes(UTF_8);
  }

  private static byte[] pairKey(int i, char side) {
    return String.format("pair/%06d/%c", i, side).getBytes(UTF_8);
  }

  private void run(long seed, int writers, int readers, int perWriter, long cacheSize) throws Exception {
    Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4).cacheSize(cacheSize);
    long[][] added = new long[writers][COUNTERS];
    byte[][][] lastShared = new byte[writers][SHARED][];
    int[] pairsWritten = new int[1];
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(writers + readers + 3);
    try (Database db = Database.open(dir, options)) {
      Tree tree = db.tree("t");
      List<Callable<Void>> writerTasks = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        final int t = w;
        writerTasks.add(() -> {
          SplittableRandom r = new SplittableRandom(seed * 31 + t);
          int[] order = shuffled(perWriter, r);
          for (int n = 0; n < perWriter; n++) {
            int i = order[n];
            tree.put(writerKey(t, i), writerValue(t, i));
            if (n % 3 == 0) {
              int c = r.nextInt(COUNTERS);
              long a = 1 + r.nextInt(1000);
              tree.update(counterKey(c), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(a));
              added[t][c] += a;
            }
            if (n % 5 == 0) {
              int s = r.nextInt(SHARED);
              byte[] v = sharedValue(t, n);
              tree.put(sharedKey(s), v);
              lastShared[t][s] = v;
            }
          }
          for (int i = 0; i < perWriter; i++) {
            if (deletedSingly(i)) {
              tree.delete(writerKey(t, i));
            }
          }
          tree.deleteRange(writerKey(t, rangeFrom(perWriter)), writerKey(t, rangeTo(perWriter)));
          return null;
        });
      }
      Callable<Void> batcher = () -> {
        for (int i = 0; i < perWriter / 2; i++) {
          byte[] v = ("pair " + i).getBytes(UTF_8);
          db.write(new WriteBatch().put(tree, pairKey(i, 'a'), v).put(tree, pairKey(i, 'b'), v));
          pairsWritten[0] = i + 1;
        }
        return null;
      };
      Callable<Void> checkpointer = () -> {
        while (writing.get()) {
          db.checkpoint();
          Thread.sleep(50);
        }
        return null;
      };

      List<Callable<Void>> readerTasks = new ArrayList<>();
      for (int rd = 0; rd < readers; rd++) {
        final int id = rd;
        readerTasks.add(() -> {
          SplittableRandom r = new SplittableRandom(seed * 17 + id);
          long[] lastCounter = new long[COUNTERS];
          while (writing.get()) {
            if (id % 2 == 0) {
              pointReads(tree, r, writers, perWriter, lastCounter);
            } else {
              scan(tree, r, writers, perWriter);
            }
          }
          return null;
        });
      }

      List<Future<Void>> background = new ArrayList<>();
      for (Callable<Void> c : readerTasks) {
        background.add(pool.submit(c));
      }
      background.add(pool.submit(checkpointer));
      List<Future<Void>> writes = new ArrayList<>();
      for (Callable<Void> c : writerTasks) {
        writes.add(pool.submit(c));
      }
      writes.add(pool.submit(batcher));
      try {
        for (Future<Void> f : writes) {
          f.get();
        }
      } finally {
        writing.set(false);
      }
      for (Future<Void> f : background) {
        f.get();
      }

      check(tree, writers, perWriter, added, lastShared, pairsWritten[0], "after the run");
      assertTrue(db.stats().get("flush.parent_released") > 0,
          "some flushes let go of the parent before applying (the path under test)");
      db.checkpoint();
    } catch (Throwable t) {
      throw new AssertionError("seed=" + seed, t);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
    try (Database db = Database.open(dir, options)) {
      check(db.tree("t"), writers, perWriter, added, lastShared, pairsWritten[0], "after reopen");
    } catch (Throwable t) {
      throw new AssertionError("seed=" + seed, t);
    }
  }

  private static int[] shuffled(int n, SplittableRandom r) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int x = a[i];
      a[i] = a[j];
      a[j] = x;
    }
    return a;
  }

  /** Gets during the run: values are right or absent, counters never go down, pairs come together. */
  private static void pointReads(Tree tree, SplittableRandom r, int writers, int perWriter, long[] lastCounter) {
    for (int k = 0; k < 200; k++) {
      int t = r.nextInt(writers);
      int i = r.nextInt(perWriter);
      byte[] v = tree.get(writerKey(t, i));
      if (v != null) {
        assertArrayEquals(writerValue(t, i), v, () -> "value of " + hex(writerKey(t, i)));
      }
      int c = r.nextInt(COUNTERS);
      byte[] cv = tree.get(counterKey(c));
      if (cv != null) {
        long now = UpdateFunctions.toLong(cv);
        assertTrue(now >= lastCounter[c], "counter " + c + " went down from " + lastCounter[c] + " to " + now);
        lastCounter[c] = now;
      }
      int p = r.nextInt(perWriter / 2);
      byte[] a = tree.get(pairKey(p, 'a')); // the batch puts a before b: seeing a means b is there
      if (a != null) {
        assertArrayEquals(a, tree.get(pairKey(p, 'b')), "batch half-visible: pair " + p);
      }
    }
  }

  /** A scan during the run: keys strictly increase (forward) or decrease (backward); values right. */
  private static void scan(Tree tree, SplittableRandom r, int writers, int perWriter) {
    boolean forward = r.nextBoolean();
    try (Cursor c = tree.cursor()) {
      boolean ok;
      if (r.nextBoolean()) {
        ok = forward ? c.first() : c.last();
      } else {
        ok = c.seek(writerKey(r.nextInt(writers), r.nextInt(perWriter)));
      }
      byte[] prev = null;
      int steps = 0;
      Set<String> seen = new HashSet<>();
      while (ok && steps++ < 5_000) {
        byte[] k = c.key();
        byte[] v = c.value();
        if (prev != null) {
          int cmp = Arrays.compareUnsigned(prev, k);
          final byte[] p = prev;
          assertTrue(forward ? cmp < 0 : cmp > 0,
              () -> "cursor order broken (" + (forward ? "next" : "prev") + "): " + hex(p) + " then " + hex(k));
        }
        assertTrue(seen.add(new String(k, UTF_8)), "key returned twice");
        String ks = new String(k, UTF_8);
        if (ks.startsWith("w")) {
          int t = ks.charAt(1) - '0';
          int i = Integer.parseInt(ks.substring(3));
          assertArrayEquals(writerValue(t, i), v, "scanned value of " + ks);
        } else if (ks.startsWith("ctr/")) {
          assertEquals(8, v.length, "counter value length");
        }
        prev = k;
        ok = forward ? c.next() : c.prev();
      }
    }
  }

  private static void check(Tree tree, int writers, int perWriter, long[][] added, byte[][][] lastShared,
      int pairs, String when) {
    for (int t = 0; t < writers; t++) {
      for (int i = 0; i < perWriter; i++) {
        byte[] expected = expectedPresent(i, perWriter) ? writerValue(t, i) : null;
        final int tt = t;
        final int ii = i;
        assertArrayEquals(expected, tree.get(writerKey(t, i)), () -> when + ": " + new String(writerKey(tt, ii), UTF_8));
      }
    }
    for (int c = 0; c < COUNTERS; c++) {
      long sum = 0;
      for (int t = 0; t < writers; t++) {
        sum += added[t][c];
      }
      byte[] v = tree.get(counterKey(c));
      assertEquals(sum, v == null ? 0 : UpdateFunctions.toLong(v), when + ": counter " + c);
    }
    for (int s = 0; s < SHARED; s++) {
      byte[] v = tree.get(sharedKey(s));
      boolean anyWriter = false;
      boolean matches = false;
      for (int t = 0; t < writers; t++) {
        if (lastShared[t][s] != null) {
          anyWriter = true;
          matches |= Arrays.equals(lastShared[t][s], v);
        }
      }
      final int ss = s;
      final byte[] got = v;
      assertTrue(anyWriter ? matches : v == null,
          () -> when + ": shared key " + ss + " holds " + (got == null ? "null" : new String(got, UTF_8))
              + ", which is no writer's last value");
    }
    for (int i = 0; i < pairs; i++) {
      byte[] v = ("pair " + i).getBytes(UTF_8);
      assertArrayEquals(v, tree.get(pairKey(i, 'a')), when + ": pair a " + i);
      assertArrayEquals(v, tree.get(pairKey(i, 'b')), when + ": pair b " + i);
    }
    // And a full scan agrees with the gets: keys in strictly increasing order, count as expected.
    long expectedCount = 0;
    for (int i = 0; i < perWriter; i++) {
      if (expectedPresent(i, perWriter)) {
        expectedCount += writers;
      }
    }
    long writerKeys = 0;
    try (Cursor c = tree.cursor()) {
      byte[] prev = null;
      for (boolean ok = c.first(); ok; ok = c.next()) {
        byte[] k = c.key();
        if (prev != null) {
          assertTrue(Arrays.compareUnsigned(prev, k) < 0, when + ": final scan out of order");
        }
        if (k.length > 0 && k[0] == 'w') {
          writerKeys++;
        }
        prev = k;
      }
    }
    assertEquals(expectedCount, writerKeys, when + ": writer keys in a full scan");
  }
}
