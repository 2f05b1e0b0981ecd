package dev.sapwood.internal.engine;

import static dev.sapwood.internal.engine.QuietSpells.idleTicks;
import static dev.sapwood.internal.engine.QuietSpells.key;
import static dev.sapwood.internal.engine.QuietSpells.putAll;
import static dev.sapwood.internal.engine.QuietSpells.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The quiet sweep's space rule ({@code tree.DeltaSweep} with the drain off, run by the first
 * reclaim round once writes stop; {@code QuietDrainTest} tests the drain):
 * leaves whose deltas repeat their basements' keys (overwrites) are consolidated and the file ends
 * smaller than without it; deltas of new keys (a fill) are left alone; a failed write or a power
 * cut anywhere in the sweep's rounds loses nothing and leaves no damage.
 */
@dev.sapwood.testlog.CapturesEngineLog
class QuietSweepTest {
  private static final int KEYS = 20_000;

  private static Options options() {
    return Options.defaults().cacheSize(1 << 20).nodeSize(16 << 10).basementSize(4 << 10)
        .durability(Durability.NONE).checkpointInterval(Duration.ofDays(1)).drainWhenQuiet(false);
  }

  private static void assertValues(DatabaseImpl db, int round, int keys, String ctx) {
    Tree t = db.tree("t");
    for (int i = 0; i < keys; i++) {
      assertArrayEquals(value(round, i), t.get(key(i, keys)), ctx + ": key " + i);
    }
  }

  @Test
  void afterOverwritesTheSweepConsolidatesLeavesAndTheFileEndsSmallerThanWithout() {
    long[] file = new long[2];
    for (int on = 0; on < 2; on++) {
      try (DatabaseImpl db = TestSeams.open(Path.of("/s" + on), options(), new MemoryFileIo())) {
        db.maintenance().idleReclaimFrom(1 << 20);
        db.maintenance().quietSweep(on == 1);
        putAll(db, 0, KEYS);
        putAll(db, 1, KEYS);
        Stats before = db.stats();
        assertTrue(before.get("flush.leaf_delta_appends") > 100, "the overwrite appended to few deltas: " + before);
        idleTicks(db, 60);
        Stats s = db.stats();
        file[on] = s.get("store.file_bytes");
        System.out.println("quiet sweep " + (on == 1 ? "on" : "off") + ": file " + file[on] + " bytes, "
            + s.get("space.swept_leaves") + " leaves consolidated holding " + s.get("space.swept_repeated_bytes")
            + " repeated bytes, " + s.get("space.reclaim_rounds") + " rounds");
        if (on == 1) {
          assertEquals(1, s.get("space.sweeps"), "one sweep per quiet spell");
          assertTrue(s.get("space.swept_leaves") > 20, "few leaves consolidated: " + s);
        } else {
          assertEquals(0, s.get("space.swept_leaves"));
        }
        assertEquals(0, s.get("space.reclaim_pending"), "rounds ended");
        assertValues(db, 1, KEYS, "sweep " + on);
      }
    }
    // Without the sweep each leaf keeps on average half its bytes again in superseded values.
    assertTrue(file[1] * 10 < file[0] * 9, "file with the sweep " + file[1] + ", without " + file[0]);
  }

  /**
   * After a random overwrite the leaves' deltas repeat their basements' keys for anything from
   * none to all of a leaf's bytes. Consolidating only those repeating half or more left, on
   * average, an eighth of the leaves' bytes in superseded values: at 20M keys that alone kept the
   * file above the data with every hole given back (docs/benchmarks.md, "space"). Here no delta
   * may grow past 0.45 of its leaf ({@code leafDeltaRatio}), so a sweep consolidating from a half
   * on finds nothing, and one consolidating from a quarter on takes the leaves between.
   */
  @Test
  void leavesWhoseDeltasRepeatLessThanHalfButAQuarterOfTheirBytesAreConsolidated() {
    try (DatabaseImpl db = TestSeams.open(Path.of("/r"), options().leafDeltaRatio(0.45), new MemoryFileIo())) {
      db.maintenance().idleReclaimFrom(1 << 20);
      putAll(db, 0, KEYS);
      putAll(db, 1, KEYS);
      assertTrue(db.stats().get("flush.leaf_delta_appends") > 100, "few delta appends: " + db.stats());
      idleTicks(db, 60);
      Stats s = db.stats();
      System.out.println("quiet sweep, deltas under 0.45 of their leaves: " + s.get("space.swept_leaves")
          + " leaves consolidated holding " + s.get("space.swept_repeated_bytes") + " repeated bytes; file "
          + s.get("store.file_bytes"));
      assertTrue(s.get("space.swept_leaves") > 10, "few leaves consolidated: " + s);
      assertValues(db, 1, KEYS, "after the sweep");
    }
  }

  @Test
  void deltasOfNewKeysAreLeftAlone() {
    try (DatabaseImpl db = TestSeams.open(Path.of("/f"), options(), new MemoryFileIo())) {
      db.maintenance().idleReclaimFrom(1 << 20);
      putAll(db, 0, KEYS);
      long appends = db.stats().get("flush.leaf_delta_appends");
      assertTrue(appends > 100, "the fill appended to few deltas: " + appends);
      idleTicks(db, 60);
      Stats s = db.stats();
      assertEquals(1, s.get("space.sweeps"), "the sweep ran: " + s);
      assertEquals(0, s.get("space.swept_leaves"), "a fill's deltas hold new keys: nothing to give back");
      assertValues(db, 0, KEYS, "fill");
    }
  }

  @Test
  void aWriteAfterTheQuietSpellCallsForAnotherSweepAtTheNext() {
    try (DatabaseImpl db = TestSeams.open(Path.of("/w"), options(), new MemoryFileIo())) {
      db.maintenance().idleReclaimFrom(1 << 20);
      putAll(db, 0, KEYS);
      putAll(db, 1, KEYS);
      idleTicks(db, 60);
      idleTicks(db, 10);
      assertEquals(1, db.stats().get("space.sweeps"), "no write: no second sweep");
      putAll(db, 2, KEYS);
      idleTicks(db, 60);
      Stats s = db.stats();
      assertEquals(2, s.get("space.sweeps"), "writes came: a new quiet spell sweeps again");
      assertValues(db, 2, KEYS, "after the second sweep");
    }
  }

  // ---- crashes and faults in the sweep's rounds ----

  private static final long SEED = 20261202L;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"WRITE, ONCE", "WRITE, FOREVER", "FSYNC, FOREVER"})
  void aFailedWriteOrSyncAndAPowerCutInTheSweepsRoundsLoseNothing(Kind kind, Mode mode, @TempDir Path scratch) {
    QuietSpells.faultsOverTheRoundsLoseNothing(kind, mode, SEED, QuietSpells.smallOptions(false), "space.swept_leaves",
        scratch);
  }
}
