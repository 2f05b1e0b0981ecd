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
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Readers check every answer against a version model while writers force flushes, splits and
 * merges in small nodes, a cleaner flushes below the root and a small cache evicts: a get or a
 * scan must return, for each key, one of the values the key had between the read's start and its
 * end. Counters (ADD_LONG) make a message applied twice or missed a wrong answer; the flushes'
 * build phase is stretched by a hook so that reads of a leaf being rebuilt go through its
 * {@link FlushView}. Seed printed.
 */
class ReadsBesideFlushModelTest {
  private static final int NODE = 8 << 10;
  private static final int KEYS = 1500;
  private static final int WRITERS = 2;
  private static final int READERS = 2;
  private static final int OPS_PER_WRITER = 12_000;
  private static final int MAX_VERSIONS = 40;
  private static final long ABSENT = Long.MIN_VALUE;
  private static final byte[] ADD = UpdateFunctions.ADD_LONG.name().getBytes(StandardCharsets.UTF_8);
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();

  private final Counters counters = new Counters();
  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/beside-model.sap"),
      new Header.Settings(NODE, 1 << 10, 8, Compressors.NONE));
  private final TreeContext ctx = new TreeContext(file, 64 << 10, NODE, 1 << 10, 8, Compressors.NONE,
      BUILT_INS, 0, counters);

  {
    // Flushes that rebuild a leaf beside its readers are what this tests: without deltas every
    // flush into a leaf rebuilds it (with them, a leaf made by a split takes its flushes as appends).
    ctx.leafDeltaRatio(0);
  }

  /** expected[k][v]: key k's value after its v-th change (v = 0: before any, absent). */
  private final long[][] expected = new long[KEYS][MAX_VERSIONS + 1];
  /** The change a writer is making or made last (set before it starts). */
  private final AtomicIntegerArray attempted = new AtomicIntegerArray(KEYS);
  /** The last change a writer finished. */
  private final AtomicIntegerArray committed = new AtomicIntegerArray(KEYS);

  private static byte[] key(int k) {
    return String.format("key%06d", k).getBytes(StandardCharsets.UTF_8);
  }

  private static int keyIndex(byte[] key) {
    return Integer.parseInt(new String(key, StandardCharsets.UTF_8).substring(3));
  }

  @Test
  void readersSeeEveryKeyAtOneOfItsVersionsWhileFlushesRebuildLeaves() throws Exception {
    long seed = new SplittableRandom().nextLong();
    System.out.println("ReadsBesideFlushModelTest seed=" + seed);
    for (int k = 0; k < KEYS; k++) {
      expected[k][0] = ABSENT;
    }
    BeTree tree = new BeTree(ctx, BeTree.create(ctx));
    AtomicBoolean writing = new AtomicBoolean(true);
    // Stretch builds: wait (a little) for a reader to use the view before building.
    ctx.flusher.onBuild(view -> {
      long before = ctx.counters.readsBesideFlush.sum();
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
      while (ctx.counters.readsBesideFlush.sum() == before && System.nanoTime() < until) {
        LockSupport.parkNanos(50_000);
      }
    });
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS + 1);
    SplittableRandom root = new SplittableRandom(seed);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int me = w;
        SplittableRandom r = root.split();
        writers.add(pool.submit(() -> write(tree, me, r)));
      }
      List<Future<?>> others = new ArrayList<>();
      for (int i = 0; i < READERS; i++) {
        SplittableRandom r = root.split();
        others.add(pool.submit(() -> {
          while (writing.get()) {
            if (r.nextInt(10) < 7) {
              checkGet(tree, r.nextInt(KEYS));
            } else {
              checkScan(tree, r.nextInt(KEYS), 1 + r.nextInt(60), 1 + r.nextInt(20));
            }
          }
        }));
      }
      others.add(pool.submit(() -> {
        while (writing.get()) {
          for (long block : ctx.cleaner().candidates(NODE / 4, 4)) {
            ctx.cleaner().clean(block, NODE / 4);
          }
          LockSupport.parkNanos(1_000_000);
        }
      }));
      try {
        for (Future<?> f : writers) {
          f.get(300, TimeUnit.SECONDS);
        }
      } finally {
        writing.set(false);
      }
      for (Future<?> f : others) {
        f.get(300, TimeUnit.SECONDS);
      }
      for (int k = 0; k < KEYS; k++) {
        checkGet(tree, k);
      }
      checkScan(tree, 0, KEYS, 50);
      long beside = ctx.counters.readsBesideFlush.sum();
      System.out.println("ReadsBesideFlushModelTest: " + beside + " reads beside a flush, "
          + ctx.counters.flushesReleasingParent.sum() + " flushes letting go of the parent, "
          + counters.counter("cache.evictions").sum() + " evictions");
      assertTrue(beside > 0, "some reads went through a flush's view (the path under test)");
    } catch (Throwable t) {
      throw new AssertionError("seed=" + seed, t);
    } finally {
      ctx.flusher.onBuild(null);
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  /** Writer {@code me} changes the keys k with k % WRITERS == me: puts, counter additions, deletes. */
  private void write(BeTree tree, int me, SplittableRandom r) {
    for (int op = 0; op < OPS_PER_WRITER; op++) {
      int k = r.nextInt(KEYS / WRITERS) * WRITERS + me;
      int v = attempted.get(k) + 1;
      if (v > MAX_VERSIONS) {
        continue;
      }
      long before = expected[k][v - 1];
      int kind = r.nextInt(20);
      long after;
      if (kind < 9) {
        after = r.nextLong(1_000_000);
        expected[k][v] = after;
        attempted.set(k, v);
        tree.put(key(k), UpdateFunctions.fromLong(after));
      } else if (kind < 17) {
        long delta = 1 + r.nextLong(1000);
        after = (before == ABSENT ? 0 : before) + delta;
        expected[k][v] = after;
        attempted.set(k, v);
        tree.update(key(k), ADD, UpdateFunctions.fromLong(delta));
      } else {
        expected[k][v] = ABSENT;
        attempted.set(k, v);
        tree.delete(key(k));
      }
      committed.set(k, v);
    }
  }

  private static long decode(byte[] value) {
    return value == null ? ABSENT : UpdateFunctions.toLong(value);
  }

  private void checkGet(BeTree tree, int k) {
    int lo = committed.get(k);
    long got = decode(tree.get(key(k)));
    int hi = attempted.get(k);
    checkOne(k, got, lo, hi, "get");
  }

  private void checkOne(int k, long got, int lo, int hi, String what) {
    for (int v = lo; v <= hi; v++) {
      if (expected[k][v] == got) {
        return;
      }
    }
    StringBuilder versions = new StringBuilder();
    for (int v = 0; v <= hi; v++) {
      versions.append(v).append('=').append(expected[k][v] == ABSENT ? "absent" : expected[k][v]).append(' ');
    }
    fail(what + " of key " + k + " returned " + (got == ABSENT ? "absent" : got) + ", not one of versions "
        + lo + ".." + hi + " (" + versions + ")");
  }

  /** Scans keys [from, from + count) in chunks of at most {@code limit} entries. */
  private void checkScan(BeTree tree, int from, int count, int limit) {
    int to = Math.min(KEYS, from + count);
    int[] lo = new int[to - from];
    for (int k = from; k < to; k++) {
      lo[k - from] = committed.get(k);
    }
    long[] got = new long[to - from];
    java.util.Arrays.fill(got, ABSENT);
    byte[] at = key(from);
    byte[] stop = to == KEYS ? null : key(to);
    while (true) {
      Chunk c = tree.readForward(at, stop, limit);
      for (int i = 0; i < c.size(); i++) {
        int k = keyIndex(c.key(i));
        assertTrue(k >= from && k < to, "scan of [" + from + ", " + to + ") returned key " + k);
        got[k - from] = decode(c.value(i));
      }
      if (c.atEnd()) {
        break;
      }
      at = c.next();
    }
    for (int k = from; k < to; k++) {
      checkOne(k, got[k - from], lo[k - from], attempted.get(k), "scan");
    }
  }
}
