package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The background runs its flushes on {@link BackgroundTasks#FLUSH_THREADS} threads: two handed-over
 * tasks run at once, and random puts with root flushes on both threads, cascades and readers
 * beside them lose and mix up nothing.
 */
class TwoFlushersTest {
  private static final Options SMALL = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(8)
      .durability(Durability.NONE).checkpointInterval(Duration.ofHours(1));

  @Test
  void twoHandedOverTasksRunAtOnce() throws Exception {
    try (DatabaseImpl db = TestSeams.open(Path.of("/two"), SMALL, new MemoryFileIo())) {
      BackgroundTasks tasks = new BackgroundTasks(db, SMALL, System.getLogger(TwoFlushersTest.class.getName()));
      try {
        // Each task waits at the barrier for the other: with one thread the second never starts.
        CyclicBarrier both = new CyclicBarrier(2);
        AtomicInteger met = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Runnable task = () -> {
          try {
            both.await(30, TimeUnit.SECONDS);
            met.incrementAndGet();
          } catch (Exception e) {
            failed.set(e);
          }
        };
        assertTrue(tasks.submit(task));
        assertTrue(tasks.submit(task));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (met.get() + (failed.get() == null ? 0 : 2) < 2 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        assertNull(failed.get(), "the two tasks did not run at once");
        assertEquals(2, met.get());
      } finally {
        tasks.stop();
      }
    }
  }

  private static byte[] key(long k) {
    return String.format("k%09d", k).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(long k, int round) {
    byte[] v = new byte[40 + (int) (k % 50)];
    Arrays.fill(v, (byte) (k * 31 + round));
    return v;
  }

  @Test
  void randomPutsWithBackgroundFlushesAndReadersLoseNothing() throws Exception {
    long seed = System.nanoTime();
    System.out.println("TwoFlushersTest seed " + seed);
    Random rnd = new Random(seed);
    int n = 40_000;
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      long t = keys[i];
      keys[i] = keys[j];
      keys[j] = t;
    }
    Stats stats;
    try (DatabaseImpl db = TestSeams.open(Path.of("/two-model"), SMALL, new MemoryFileIo())) {
      Tree t = db.tree("t");
      // done: keys[0, done) hold their round-0 value; a reader checks a random one of them.
      AtomicInteger done = new AtomicInteger();
      AtomicReference<String> wrong = new AtomicReference<>();
      Thread[] readers = new Thread[2];
      for (int r = 0; r < readers.length; r++) {
        long readerSeed = seed + r + 1;
        readers[r] = new Thread(() -> {
          Random rr = new Random(readerSeed);
          while (done.get() < n && wrong.get() == null) {
            int upTo = done.get();
            if (upTo == 0) {
              continue;
            }
            long k = keys[rr.nextInt(upTo)];
            byte[] got = t.get(key(k));
            if (!Arrays.equals(value(k, 0), got)) {
              wrong.compareAndSet(null, "key " + k + " read " + (got == null ? "nothing" : got.length + " bytes"));
            }
          }
        });
        readers[r].start();
      }
      for (int i = 0; i < n; i++) {
        t.put(key(keys[i]), value(keys[i], 0));
        done.set(i + 1);
      }
      for (Thread r : readers) {
        r.join();
      }
      assertNull(wrong.get(), "seed " + seed);
      // A second round over a random half overwrites beside the flushes of the first.
      for (int i = 0; i < n; i += 2) {
        t.put(key(keys[i]), value(keys[i], 1));
      }
      stats = db.stats();
      for (int i = 0; i < n; i++) {
        assertArrayEquals(value(keys[i], i % 2 == 0 ? 1 : 0), t.get(key(keys[i])), "key " + keys[i] + ", seed " + seed);
      }
    }
    assertTrue(stats.get("flush.by_background") > 1, "writers handed flushes over\n" + stats);
  }
}
