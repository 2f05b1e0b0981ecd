package dev.sapwood;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ExecutorService.shutdownNow()} on a pool of writers in the middle of a load interrupts
 * them wherever they are (in a log write, a node written on eviction, a group-commit wait). The
 * writers carry on with their flag set; afterwards the database still accepts writes, closes
 * without an exception, and after reopening holds every acknowledged write.
 */
class InterruptedWriterPoolTest {
  @TempDir Path dir;

  private static final int TASKS = 8;
  private static final int THREADS = 4;
  private static final int OPS = 3_000;
  private static final int KEYS_PER_TASK = 400;

  /**
   * One writer's exact model: for each key, the sequence number of its last acknowledged write
   * and of its last attempted one (a SYNC write whose wait was interrupted is applied, but its
   * durability was not waited for). Values encode the sequence number.
   */
  private static final class Model {
    final Map<Integer, Integer> acked = new HashMap<>();
    final Map<Integer, Integer> attempted = new HashMap<>();
    int interruptedSyncs;
    Throwable failure;
  }

  private static byte[] key(int task, int k) {
    return String.format("w%02d-%05d", task, k).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int task, int seq) {
    byte[] v = new byte[40 + seq % 80];
    Arrays2.fillPattern(v, task, seq);
    return v;
  }

  /** Values that say which write made them. */
  private static final class Arrays2 {
    static void fillPattern(byte[] v, int task, int seq) {
      v[0] = (byte) task;
      v[1] = (byte) (seq >>> 16);
      v[2] = (byte) (seq >>> 8);
      v[3] = (byte) seq;
      for (int i = 4; i < v.length; i++) {
        v[i] = (byte) (seq * 31 + i);
      }
    }

    static int seqOf(byte[] v) {
      return (v[1] & 0xFF) << 16 | (v[2] & 0xFF) << 8 | (v[3] & 0xFF);
    }
  }

  private static void writer(Database db, Tree t, int task, long seed, Model m, AtomicLong progress) {
    Random rnd = new Random(seed);
    try {
      for (int seq = 0; seq < OPS; seq++) {
        int k = rnd.nextInt(KEYS_PER_TASK);
        m.attempted.put(k, seq);
        int kind = rnd.nextInt(10);
        try {
          if (kind == 0) {
            db.write(new WriteBatch().put(t, key(task, k), value(task, seq)), Durability.SYNC);
          } else if (kind == 1) {
            WriteBatch b = new WriteBatch().put(t, key(task, k), value(task, seq));
            db.write(b, Durability.NONE); // made durable by the checkpoint at close
          } else {
            t.put(key(task, k), value(task, seq)); // ASYNC, the default
          }
          m.acked.put(k, seq);
        } catch (SyncInterruptedException e) {
          m.interruptedSyncs++; // applied; durable or not: the model allows either
          assertTrue(Thread.currentThread().isInterrupted(), "the flag was cleared");
        }
        progress.incrementAndGet();
      }
    } catch (Throwable e) {
      m.failure = e;
    }
  }

  @Test
  void shutdownNowOfAPoolOfWritersLosesNothingAndLeavesTheDatabaseWritable() throws Exception {
    shutdownNowMidLoad(dir, System.nanoTime());
  }

  /** The same, over and over (-Pstress; rounds from -Dsapwood.interruptRounds, default 100). */
  @Test
  @Tag("stress")
  void shutdownNowOfAPoolOfWritersOverAndOver() throws Exception {
    int rounds = Integer.getInteger("sapwood.interruptRounds", 100);
    long seed = Long.getLong("sapwood.interruptSeed", System.nanoTime());
    for (int r = 0; r < rounds; r++) {
      shutdownNowMidLoad(dir.resolve("r" + r), seed + r * 1_000_003L);
    }
  }

  private static void shutdownNowMidLoad(Path dir, long seed) throws Exception {
    System.out.println("InterruptedWriterPoolTest seed " + seed);
    Options o = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).cacheSize(256 << 10);
    List<Model> models = new ArrayList<>();
    try (Database db = Database.open(dir, o)) {
      Tree t = db.tree("t");
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      AtomicLong progress = new AtomicLong();
      for (int task = 0; task < TASKS; task++) {
        Model m = new Model();
        models.add(m);
        int id = task;
        pool.execute(() -> writer(db, t, id, seed + id, m, progress));
      }
      while (progress.get() < THREADS * OPS / 3) { // mid-load
        Thread.onSpinWait();
      }
      pool.shutdownNow(); // interrupts the running writers; the queued ones never start
      assertTrue(pool.awaitTermination(2, TimeUnit.MINUTES), "writers did not finish");
      int interrupted = 0;
      for (int task = 0; task < TASKS; task++) {
        Model m = models.get(task);
        if (m.failure != null) {
          throw new AssertionError("writer " + task + " failed (seed " + seed + ")", m.failure);
        }
        interrupted += m.interruptedSyncs;
      }
      System.out.println("InterruptedWriterPoolTest: " + interrupted + " interrupted SYNC waits");
      // Everyone else goes on writing.
      t.put(key(99, 0), value(99, 0));
      db.write(new WriteBatch().put(t, key(99, 1), value(99, 1)), Durability.SYNC);
      db.checkpoint();
    } // close() does not throw
    try (Database db = Database.open(dir, o)) {
      Tree t = db.tree("t");
      for (int task = 0; task < TASKS; task++) {
        Model m = models.get(task);
        for (int k = 0; k < KEYS_PER_TASK; k++) {
          byte[] got = t.get(key(task, k));
          Integer acked = m.acked.get(k);
          Integer attempted = m.attempted.get(k);
          String where = "writer " + task + " key " + k + " (seed " + seed + ")";
          if (attempted == null) {
            assertNull(got, where + ": never written");
            continue;
          }
          if (got == null) {
            assertNull(acked, where + ": acknowledged write " + acked + " lost");
            continue;
          }
          int seq = Arrays2.seqOf(got);
          assertArrayEquals(value(task, seq), got, where + ": a value no write made");
          assertTrue(acked == null || seq >= acked, where + ": holds " + seq + ", older than acknowledged " + acked);
          assertTrue(seq <= attempted, where + ": holds " + seq + ", newer than any attempt " + attempted);
        }
      }
      assertArrayEquals(value(99, 1), t.get(key(99, 1)));
    }
  }
}
