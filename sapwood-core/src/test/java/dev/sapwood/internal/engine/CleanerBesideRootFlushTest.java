package dev.sapwood.internal.engine;

import static dev.sapwood.internal.engine.CleanerIdleTest.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.tree.Cleaner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cleaner stands aside while a root flush is queued or running ({@link TreeUpkeep#clean}): the
 * pass is skipped and counted in {@code cleaner.root_flush_skips}, and passes run again once the
 * flush ended. The root flush is held in a queue of the test's own, so the moment is exact.
 */
class CleanerBesideRootFlushTest {
  private static final Options SMALL = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(8)
      .durability(Durability.NONE).checkpointInterval(Duration.ofHours(1));

  private static byte[] value(int i) {
    byte[] v = new byte[100];
    Arrays.fill(v, (byte) i);
    return v;
  }

  private static int scattered(int k) {
    return (int) ((k * 7_919L) % 100_003);
  }

  @Test
  void aPassIsSkippedWhileARootFlushIsQueuedAndPassesRunAgainOnceItRan() {
    try (DatabaseImpl db = TestSeams.open(Path.of("/aside"), SMALL, new MemoryFileIo())) {
      Tree t = db.tree("t");
      Cleaner cleaner = db.treeContext().cleaner();
      List<Runnable> held = new ArrayList<>();
      db.treeContext().setBackground(task -> {
        synchronized (held) {
          held.add(task);
        }
        return true;
      });
      int k = 0;
      // Scattered keys (ascending ones would go straight to the rightmost leaf), until the root is
      // gorged and a flush is queued.
      while (!cleaner.rootFlushActive() && k < 10_000) {
        t.put(key(scattered(k)), value(k));
        k++;
      }
      assertTrue(cleaner.rootFlushActive(), "a root flush was queued after " + k + " puts");
      db.clean(); // waits for a pass the engine's cleaner may be running (passes run one at a time)
      t.put(key(scattered(k)), value(k)); // a write after every pass begun so far: the gate lets the next one by
      Stats before = db.stats();

      db.clean();
      Stats during = db.stats();
      assertTrue(during.get("cleaner.root_flush_skips") > before.get("cleaner.root_flush_skips"),
          "the pass was skipped as a root flush is queued\n" + during);
      assertEquals(before.get("cleaner.passes"), during.get("cleaner.passes"),
          "no pass ran beside the queued root flush\n" + during);

      List<Runnable> tasks;
      synchronized (held) {
        tasks = new ArrayList<>(held);
        held.clear();
      }
      for (Runnable task : tasks) {
        db.runInBackground(task);
      }
      assertFalse(cleaner.rootFlushActive(), "the flush ran: none is queued or running");
      assertTrue(db.stats().get("flush.by_background") > before.get("flush.by_background"), "the held flush ran");
      db.clean();
      Stats after = db.stats();
      assertTrue(after.get("cleaner.passes") > during.get("cleaner.passes"),
          "a pass ran once the root flush ended (the writes before it still call for one)\n" + after);
      for (int i = 0; i <= k; i++) {
        assertEquals(100, t.get(key(scattered(i))).length);
      }
    }
  }

  @Test
  void bytesWrittenWhileAPassWasSkippedGiveNoCreditButTheDebtStays() {
    CleanerBudget b = new CleanerBudget(1);
    long credit = b.open(1_000);
    b.close(credit, 1_500); // overshot by 500
    b.skip(5_000); // 4,000 written while a root flush ran
    assertEquals(1_000 - 500, b.open(6_000), "only what came after the skip, less the debt");
  }
}
