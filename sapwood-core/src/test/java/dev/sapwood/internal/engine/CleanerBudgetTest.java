package dev.sapwood.internal.engine;

import static dev.sapwood.internal.engine.CleanerIdleTest.key;
import static dev.sapwood.internal.engine.CleanerIdleTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The cleaner's pace follows the writes: a pass moves about as many buffer bytes as were written
 * since the one before (the rule, {@link CleanerBudget}), so a write-light phase after a load does
 * not flush the load's backlog at the cleaner's full pace (the engine, {@link TreeUpkeep#clean}).
 */
class CleanerBudgetTest {
  @Test
  void aPassMayMoveWhatWasWrittenSinceTheLastLessWhatEarlierPassesOverspent() {
    CleanerBudget b = new CleanerBudget(2);
    long credit = b.open(1_000);
    assertEquals(2_000, credit, "twice the bytes written since the start");
    b.close(credit, 5_000); // its last flush overshot by 3,000
    credit = b.open(1_500);
    assertEquals(1_000 - 3_000, credit, "500 bytes written pay back a third of the debt");
    b.close(credit, 0); // nothing moved: the debt stays
    credit = b.open(3_500);
    assertEquals(4_000 - 2_000, credit);
    b.close(credit, 500); // spent a quarter: the rest is not banked
    assertEquals(0, b.open(3_500), "no write since: no credit");
    b.close(0, 0);
    assertEquals(200, b.open(3_600));
  }

  @Test
  void creditLeftUnspentByAWriteHeavyPhaseIsNotBankedForTheReadsAfterIt() {
    CleanerBudget b = new CleanerBudget(1);
    for (long written = 1 << 20; written <= 64 << 20; written += 1 << 20) {
      long credit = b.open(written);
      assertEquals(1 << 20, credit);
      b.close(credit, 1 << 10); // the pass found little to flush
    }
    assertEquals(0, b.open(64 << 20));
  }

  private static byte[] value(int i, int length) {
    byte[] v = new byte[length];
    Arrays.fill(v, (byte) i);
    return v;
  }

  @Test
  void passesAfterALoadMoveNoMoreThanTheFewBytesWrittenSinceAndOneFlush() throws Exception {
    MemoryFileIo io = new MemoryFileIo();
    Options o = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(8)
        .durability(Durability.NONE).checkpointInterval(Duration.ofHours(1));
    int n = 30_000;
    long seed = System.nanoTime();
    System.out.println("CleanerBudgetTest seed " + seed);
    Random rnd = new Random(seed);
    try (DatabaseImpl db = TestSeams.open(Path.of("/budget"), o, io)) {
      Tree t = db.tree("t");
      for (int i = 0; i < n; i++) { // the load: its buffers are left heavy
        int k = rnd.nextInt(n);
        t.put(key(k), value(k, 100));
      }
      // Skips counted after the last write: a pass began after it and is done (passes run one at a
      // time); a skip before it can come while the writer waits on a flush of its own.
      Stats loaded = waitFor(db, "cleaner.idle_skips", db.stats().get("cleaner.idle_skips") + 2);
      long written = loaded.get("tree.message_bytes");
      long moved = loaded.get("cleaner.buffer_bytes_total");
      assertTrue(moved > 0, "the cleaner flushed while the load went on\n" + loaded);
      assertTrue(moved <= written * CleanerBudget.BYTES_PER_WRITTEN_BYTE + loaded.get("cleaner.buffer_bytes_max"),
          "the load's passes moved at most what it wrote and one flush\n" + loaded);
      assertTrue(db.upkeep().candidates() > 0, "the load leaves heavy buffers behind\n" + loaded);

      // A write-light phase: one small write before each pass, as a few updates among many reads.
      int passes = 20;
      for (int i = 0; i < passes; i++) {
        t.put(key(n + i), value(i, 10));
        db.clean();
      }
      Stats light = db.stats();
      long lightWritten = light.get("tree.message_bytes") - written;
      long lightMoved = light.get("cleaner.buffer_bytes_total") - moved;
      long lightFlushes = light.get("cleaner.flushes") - loaded.get("cleaner.flushes");
      String figures = "the light phase wrote " + lightWritten + " bytes, its passes moved " + lightMoved
          + " in " + lightFlushes + " flushes\n" + light;
      System.out.println(figures.substring(0, figures.indexOf('\n')));
      assertTrue(light.get("cleaner.passes") - loaded.get("cleaner.passes") >= passes, "each write let a pass run\n" + light);
      assertTrue(db.upkeep().candidates() > 0, "heavy buffers were left to flush: the budget held the passes back\n" + light);
      assertTrue(light.get("cleaner.budget_stops") > loaded.get("cleaner.budget_stops"), "passes were cut short\n" + figures);
      // The passes' debt to the load's last pass can only lower this; one flush may overshoot.
      assertTrue(lightMoved <= lightWritten * CleanerBudget.BYTES_PER_WRITTEN_BYTE + light.get("cleaner.buffer_bytes_max"),
          figures);
      assertTrue(lightFlushes <= 1, figures);
      for (int i = 0; i < passes; i++) {
        assertEquals(10, t.get(key(n + i)).length);
      }
    }
  }
}
