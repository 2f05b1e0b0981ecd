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
import org.junit.jupiter.api.Test;

/**
 * The cleaner flushes while writes go on and stops once they stop: a pass runs only if a write
 * was sequenced since the previous pass began, so a read-only phase after a load does not pay for
 * the load's heavy buffers (TreeUpkeep#clean).
 */
class CleanerIdleTest {
  static byte[] key(int i) {
    return String.format("k%08d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int i) {
    byte[] v = new byte[100];
    Arrays.fill(v, (byte) i);
    return v;
  }

  /** Waits up to 30 s for {@code counter} to reach {@code atLeast}, and asserts it did; returns the stats then. */
  static Stats waitFor(DatabaseImpl db, String counter, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Stats s = db.stats();
    while (s.get(counter) < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(20);
      s = db.stats();
    }
    assertTrue(s.get(counter) >= atLeast, counter + " reached " + atLeast + "\n" + s);
    return s;
  }

  @Test
  void theCleanerFlushesAfterWritesAndNotWhileOnlyReadsGoOn() throws Exception {
    MemoryFileIo io = new MemoryFileIo();
    Options o = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(8)
        .durability(Durability.NONE).checkpointInterval(Duration.ofHours(1));
    int n = 30_000;
    Random rnd = new Random(5);
    try (DatabaseImpl db = TestSeams.open(Path.of("/idle"), o, io)) {
      Tree t = db.tree("t");
      for (int i = 0; i < n; i++) {
        int k = rnd.nextInt(n);
        t.put(key(k), value(k));
      }
      // Skips counted after the last write: a pass began after it and is done (passes run one at a
      // time); a skip before it can come while the writer waits on a flush of its own.
      Stats quiet = waitFor(db, "cleaner.idle_skips", db.stats().get("cleaner.idle_skips") + 2);
      long flushes = quiet.get("cleaner.flushes");
      long passes = quiet.get("cleaner.passes");
      assertTrue(flushes > 0, "the cleaner flushed while writes went on\n" + quiet);
      for (int i = 0; i < 5; i++) {
        db.clean(); // no write since the last pass: nothing to do
        for (int j = 0; j < 100; j++) {
          t.get(key(rnd.nextInt(n))); // reads sequence nothing
        }
      }
      Stats after = waitFor(db, "cleaner.idle_skips", quiet.get("cleaner.idle_skips") + 5);
      assertEquals(flushes, after.get("cleaner.flushes"), "no flush without writes\n" + after);
      assertEquals(passes, after.get("cleaner.passes"), "no pass without writes\n" + after);

      t.put(key(0), value(1)); // one write: the next pass runs again
      db.clean();
      waitFor(db, "cleaner.passes", passes + 1);
      assertArrayEquals(value(1), t.get(key(0)));
    }
  }
}
