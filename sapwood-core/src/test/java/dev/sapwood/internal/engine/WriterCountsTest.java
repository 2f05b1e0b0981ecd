package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The writer's per-put counters are kept in plain fields under the locks the put holds anyway
 * (each tree's root latch, the log's locks) and summed when stats are read: they stay exact. Puts
 * and deletes from several threads into two trees are each counted once in {@code tree.messages}
 * and {@code log.records}, their bytes (record header, key, value) in {@code tree.message_bytes},
 * and a dropped tree's counts stay in the sums.
 */
class WriterCountsTest {
  /** A buffer record's header: type, MSN, key length (MessageArena.HEADER), and the value length. */
  private static final int RECORD_OVERHEAD = 1 + 8 + 4 + 4;

  @Test
  void putsFromSeveralThreadsAreCountedExactlyAndADroppedTreesCountsStay() throws Exception {
    Options o = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(8)
        .durability(Durability.ASYNC).checkpointInterval(Duration.ofHours(1));
    long seed = System.nanoTime();
    System.out.println("WriterCountsTest seed " + seed);
    int threads = 4;
    int perThread = 5_000;
    try (DatabaseImpl db = TestSeams.open(Path.of("/counts"), o, new MemoryFileIo())) {
      Tree[] trees = {db.tree("a"), db.tree("b")};
      Stats before = db.stats();
      AtomicLong bytes = new AtomicLong();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread[] ts = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        Random rnd = new Random(seed + t);
        int id = t;
        ts[t] = new Thread(() -> {
          try {
            long mine = 0;
            for (int i = 0; i < perThread; i++) {
              byte[] key = ("k" + id + "-" + rnd.nextInt(3_000)).getBytes(StandardCharsets.UTF_8);
              Tree tree = trees[rnd.nextInt(2)];
              if (rnd.nextInt(10) == 0) {
                tree.delete(key);
                mine += RECORD_OVERHEAD + key.length;
              } else {
                byte[] value = new byte[rnd.nextInt(200)];
                rnd.nextBytes(value);
                tree.put(key, value);
                mine += RECORD_OVERHEAD + key.length + value.length;
              }
            }
            bytes.addAndGet(mine);
          } catch (Throwable e) {
            failed.compareAndSet(null, e);
          }
        });
        ts[t].start();
      }
      for (Thread t : ts) {
        t.join();
      }
      if (failed.get() != null) {
        throw new AssertionError("seed " + seed, failed.get());
      }
      Stats after = db.stats();
      long n = (long) threads * perThread;
      assertEquals(n, after.get("tree.messages") - before.get("tree.messages"), "seed " + seed);
      assertEquals(bytes.get(), after.get("tree.message_bytes") - before.get("tree.message_bytes"), "seed " + seed);
      assertEquals(n, after.get("log.records") - before.get("log.records"), "seed " + seed);

      db.dropTree("b");
      Stats dropped = db.stats();
      assertEquals(after.get("tree.messages"), dropped.get("tree.messages"), "the dropped tree's messages stay counted");
      assertEquals(after.get("tree.message_bytes"), dropped.get("tree.message_bytes"));
      trees[0].put("x".getBytes(StandardCharsets.UTF_8), new byte[3]);
      assertEquals(after.get("tree.messages") + 1, db.stats().get("tree.messages"));
    }
  }
}
