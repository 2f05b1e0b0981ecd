package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Cursor;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * {@code compact} online: readers and writers make progress while it is mid-way (its hooks wait
 * for their writes and reads, so a compaction that held them up would never finish), the content
 * matches a model after, and writes going on do not keep it walking to its limit.
 */
class CompactUnderLoadTest {
  private static final int LOADED = 20_000;
  private static final long WAIT_GUARD_NANOS = 120_000_000_000L; // a hang guard, not a timing check

  private final MemoryFileIo io = new MemoryFileIo();
  private final Path dir = Path.of("/compact");
  private final Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
      .cacheSize(4 << 20).durability(Durability.NONE)
      .checkpointInterval(Duration.ofHours(1)).syncInterval(Duration.ofHours(1));

  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] key(int i) {
    return b(String.format("k%07d", i));
  }

  @Test
  void readersAndWritersProgressMidCompactionAndTheContentMatchesTheModel() throws Exception {
    long seed = System.nanoTime();
    System.out.println("CompactUnderLoadTest seed " + seed);
    TreeMap<Integer, String> expected = new TreeMap<>();
    try (DatabaseImpl db = TestSeams.open(dir, options, io)) {
      Tree t = db.tree("t");
      TreeMap<Integer, String> loaded = new TreeMap<>();
      for (int i = 0; i < LOADED; i++) {
        t.put(key(i), b("v" + i));
        loaded.put(i, "v" + i);
      }
      db.checkpoint();
      for (int i = 0; i < LOADED; i++) { // nine in ten go: leaves merge, so the drain walks twice
        if (i % 10 != 0) {
          t.delete(key(i));
          loaded.remove(i);
        }
      }
      // Each writer owns its own keys (above the loaded ones), so its model is exact.
      List<Map<Integer, String>> models = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        Map<Integer, String> model = new ConcurrentHashMap<>();
        models.add(model);
        long writerSeed = seed + w;
        int base = LOADED + w * 1_000_000;
        threads.add(new Thread(() -> write(t, model, base, new Random(writerSeed))));
      }
      threads.add(new Thread(() -> read(t, loaded, new Random(seed - 1))));
      int[] midway = {0, 0}; // walks, rounds that saw readers and writers progress
      db.compactHooks(() -> midway[0] += awaitProgress(), () -> midway[1] += awaitProgress());
      threads.forEach(Thread::start);
      awaitProgress();
      long walksBefore = db.stats().get("compact.walks");
      db.compact();
      stop.set(true);
      for (Thread th : threads) {
        th.join();
      }
      assertNull(failure.get(), () -> "a reader or writer failed: " + failure.get());
      assertTrue(midway[0] > 0, "the writers and the reader progressed between the drain's walks");
      assertTrue(midway[1] > 0, "the writers and the reader progressed while blocks were being moved");
      long walks = db.stats().get("compact.walks") - walksBefore;
      System.out.println("compact under load: walks " + walks + ", rounds " + db.stats().get("compact.rounds")
          + ", writes " + writes.get() + ", reads " + reads.get());
      // Before the fix every walk found the writers' new messages to flush and walked again, to
      // the limit of 12; now only a walk that merged calls for another.
      assertTrue(walks < 12, "walks " + walks + ": writes going on kept compaction walking to its limit");
      expected.putAll(loaded);
      models.forEach(expected::putAll);
      assertContent(t, expected);
    }
    try (DatabaseImpl db = TestSeams.open(dir, options, io)) {
      assertContent(db.tree("t"), expected);
    }
  }

  /** Puts and deletes this writer's keys, recording each in {@code model} once it returned. */
  private void write(Tree t, Map<Integer, String> model, int base, Random rnd) {
    try {
      for (int n = 0; !stop.get(); n++) {
        int k = base + rnd.nextInt(5_000);
        if (rnd.nextInt(5) == 0) {
          t.delete(key(k));
          model.remove(k);
        } else {
          String v = "w" + k + "." + n;
          t.put(key(k), b(v));
          model.put(k, v);
        }
        writes.incrementAndGet();
      }
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
    }
  }

  /** Reads loaded keys (which no writer touches) and checks them against {@code loaded}. */
  private void read(Tree t, TreeMap<Integer, String> loaded, Random rnd) {
    try {
      while (!stop.get()) {
        int k = rnd.nextInt(LOADED);
        String v = loaded.get(k);
        byte[] got = t.get(key(k));
        if (v == null ? got != null : got == null || !v.equals(new String(got, StandardCharsets.UTF_8))) {
          throw new AssertionError("key " + k + ": expected " + v + ", read "
              + (got == null ? null : new String(got, StandardCharsets.UTF_8)));
        }
        reads.incrementAndGet();
      }
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
    }
  }

  /**
   * Waits until the writers made 300 more writes and the reader 300 more reads (or one failed):
   * called from inside compaction, it returns only if they were not held up by it. Returns 1.
   */
  private int awaitProgress() {
    long w = writes.get() + 300;
    long r = reads.get() + 300;
    long guard = System.nanoTime() + WAIT_GUARD_NANOS;
    while ((writes.get() < w || reads.get() < r) && failure.get() == null) {
      if (System.nanoTime() > guard) {
        failure.compareAndSet(null, new AssertionError("no progress by readers and writers mid-compaction"));
      }
      LockSupport.parkNanos(200_000);
    }
    return 1;
  }

  private static void assertContent(Tree t, TreeMap<Integer, String> expected) {
    TreeMap<Integer, String> actual = new TreeMap<>();
    try (Cursor c = t.cursor()) {
      for (boolean ok = c.first(); ok; ok = c.next()) {
        actual.put(Integer.parseInt(new String(c.key(), StandardCharsets.UTF_8).substring(1)),
            new String(c.value(), StandardCharsets.UTF_8));
      }
    }
    assertEquals(expected, actual, "the tree after compaction under load matches the model");
    for (Map.Entry<Integer, String> e : expected.entrySet()) {
      assertArrayEquals(b(e.getValue()), t.get(key(e.getKey())));
    }
  }
}
