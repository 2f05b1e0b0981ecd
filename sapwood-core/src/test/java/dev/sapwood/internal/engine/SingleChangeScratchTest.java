package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Cursor;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A single change's log record is encoded into its writer thread's reused scratch array (the log
 * copies it): records of every size — shorter than the last one, longer, and past the scratch's
 * cap, which get an array of their own — replay to exactly what the writers left in the trees,
 * with several writers at once (each with its own scratch) on the same keys.
 */
class SingleChangeScratchTest {
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path dir = Path.of("/scratch");
  private final Options options = Options.defaults().nodeSize(64 << 10).basementSize(8 << 10).fanout(4)
      .cacheSize(1 << 20).durability(Durability.ASYNC)
      .checkpointInterval(Duration.ofHours(1)).syncInterval(Duration.ofHours(1));

  private static byte[] key(int i) {
    return ("key" + i).getBytes(StandardCharsets.UTF_8);
  }

  /** A value of a size drawn to cross the scratch array's growth and its cap; its bytes name it. */
  private static byte[] value(Random rnd, int writer, int i) {
    int[] sizes = {0, 1, 8, 100, 255, 256, 1000, 4096, WritePath.SCRATCH_MAX - 40, WritePath.SCRATCH_MAX + 1};
    byte[] v = new byte[sizes[rnd.nextInt(sizes.length)]];
    rnd.nextBytes(v);
    if (v.length >= 8) {
      System.arraycopy(UpdateFunctions.fromLong(writer * 1_000_000L + i), 0, v, 0, 8);
    }
    return v;
  }

  @Test
  void recordsOfEverySizeFromSeveralWritersReplayToWhatTheTreesHeld() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("SingleChangeScratchTest seed " + seed);
    DatabaseImpl db = TestSeams.open(dir, options, io);
    Tree t = db.tree("t");
    AtomicReference<Throwable> failed = new AtomicReference<>();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      final int id = w;
      Random rnd = new Random(seed + w);
      writers.add(new Thread(() -> {
        try {
          for (int i = 0; i < 400; i++) {
            int k = rnd.nextInt(40);
            switch (rnd.nextInt(4)) {
              case 0 -> t.delete(key(k));
              default -> t.put(key(k), value(rnd, id, i));
            }
          }
        } catch (Throwable e) {
          failed.compareAndSet(null, e);
        }
      }));
    }
    writers.forEach(Thread::start);
    for (Thread w : writers) {
      w.join();
    }
    assertNull(failed.get(), () -> "seed " + seed + ": a writer failed: " + failed.get());
    TreeMap<String, String> before = contents(t);
    assertTrue(before.size() > 0);
    db.sync();
    TestSeams.halt(db);
    io.crash();
    try (DatabaseImpl again = TestSeams.open(dir, options, io)) {
      assertTrue(again.stats().get("recovery.records_replayed") >= 1200, again.stats().toString());
      assertEquals(before, contents(again.tree("t")), "seed " + seed + ": replay disagrees with what the trees held");
    }
  }

  private static TreeMap<String, String> contents(Tree t) {
    TreeMap<String, String> m = new TreeMap<>();
    try (Cursor c = t.cursor()) {
      for (boolean ok = c.first(); ok; ok = c.next()) {
        m.put(new String(c.key(), StandardCharsets.UTF_8), Arrays.toString(c.value()));
      }
    }
    return m;
  }
}
