package dev.sapwood.internal.engine;

import static dev.sapwood.internal.engine.QuietSpells.idleTicks;
import static dev.sapwood.internal.engine.QuietSpells.key;
import static dev.sapwood.internal.engine.QuietSpells.putAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Cursor;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The quiet drain ({@code tree.DeltaSweep} with {@code Options.drainWhenQuiet}, run by the first
 * reclaim round once writes stop): after a fill, the messages waiting in buffers and leaf deltas
 * go down into the leaves, so a scan afterwards applies few of them; every value reads as before;
 * a write stops the drain and the next quiet spell goes on where it stopped; a failed write or a
 * power cut anywhere in its rounds loses nothing and leaves no damage.
 */
@dev.sapwood.testlog.CapturesEngineLog
class QuietDrainTest {
  private static final int KEYS = 20_000;

  private static Options options() {
    return Options.defaults().cacheSize(1 << 20).nodeSize(16 << 10).basementSize(4 << 10)
        .durability(Durability.NONE).checkpointInterval(Duration.ofDays(1));
  }

  /** Value {@code i} of the fill: round 1's of {@link QuietSpells}. */
  private static byte[] value(int i) {
    return QuietSpells.value(1, i);
  }

  private static void fill(DatabaseImpl db, int keys) {
    putAll(db, 1, keys);
  }

  /** Scans the whole tree against the fill's model; returns the messages its chunks applied. */
  private static long scanAndCountMessages(DatabaseImpl db, int keys, String ctx) {
    TreeMap<String, byte[]> model = new TreeMap<>();
    for (int i = 0; i < keys; i++) {
      model.put(Arrays.toString(key(i, keys)), value(i));
    }
    long before = db.stats().get("read.chunk_messages");
    int seen = 0;
    try (Cursor c = db.tree("t").cursor()) {
      byte[] previous = null;
      for (boolean ok = c.first(); ok; ok = c.next()) {
        byte[] k = c.key();
        if (previous != null) {
          assertTrue(Arrays.compareUnsigned(previous, k) < 0, ctx + ": keys out of order");
        }
        assertArrayEquals(model.get(Arrays.toString(k)), c.value(), ctx + ": key " + Arrays.toString(k));
        previous = k;
        seen++;
      }
    }
    assertEquals(keys, seen, ctx + ": entries scanned");
    return db.stats().get("read.chunk_messages") - before;
  }

  @Test
  void afterAFillTheDrainTakesTheWaitingMessagesIntoTheLeaves() {
    try (DatabaseImpl db = TestSeams.open(Path.of("/d"), options(), new MemoryFileIo())) {
      db.maintenance().idleReclaimFrom(1 << 20);
      fill(db, KEYS);
      long waiting = scanAndCountMessages(db, KEYS, "before the drain");
      assertTrue(waiting > KEYS / 10, "the fill left few messages above the leaves: " + waiting);
      idleTicks(db, 60);
      Stats s = db.stats();
      long left = scanAndCountMessages(db, KEYS, "after the drain");
      System.out.println("quiet drain: " + s.get("space.drained_leaves") + " leaves drained, "
          + s.get("space.drained_bytes") + " bytes; a scan applied " + waiting + " messages before, " + left + " after");
      assertEquals(1, s.get("space.sweeps"), "one sweep per quiet spell");
      assertTrue(s.get("space.drained_leaves") > 10, "few leaves drained: " + s);
      assertTrue(left * 4 < waiting, "the drain left " + left + " of " + waiting + " messages above the leaves");
      assertEquals(0, s.get("space.reclaim_pending"), "rounds ended");
    }
  }

  @Test
  void withTheDrainOffAFillsMessagesStayWhereTheyWere() {
    try (DatabaseImpl db = TestSeams.open(Path.of("/o"), options().drainWhenQuiet(false), new MemoryFileIo())) {
      db.maintenance().idleReclaimFrom(1 << 20);
      fill(db, KEYS);
      long waiting = scanAndCountMessages(db, KEYS, "before the quiet spell");
      idleTicks(db, 60);
      assertEquals(0, db.stats().get("space.drained_leaves"));
      assertEquals(waiting, scanAndCountMessages(db, KEYS, "after the quiet spell"), "nothing was drained");
    }
  }

  @Test
  void aWriteStopsTheDrainAndTheNextQuietSpellGoesOnWhereItStopped() {
    try (DatabaseImpl db = TestSeams.open(Path.of("/w"), options(), new MemoryFileIo())) {
      db.maintenance().idleReclaimFrom(1 << 20);
      fill(db, KEYS);
      List<List<byte[]>> starts = new ArrayList<>(); // per sweep, the first key of each step
      List<byte[]> stoppedAt = new ArrayList<>(); // per sweep, where the step after its last would start
      db.maintenance().sweepStepHooks(from -> {
        int sweep = (int) db.stats().get("space.sweeps");
        while (starts.size() < sweep) {
          starts.add(new ArrayList<>());
          stoppedAt.add(null);
        }
        starts.get(sweep - 1).add(from);
        if (sweep == 1 && starts.get(0).size() == 5) {
          db.tree("t").put(key(0, KEYS), value(0)); // a write: the sweep stops after this step
        }
      }, next -> stoppedAt.set(stoppedAt.size() - 1, next));
      idleTicks(db, 60);
      Stats s = db.stats();
      assertEquals(2, s.get("space.sweeps"), "the write began a second quiet spell: " + s);
      assertEquals(5, starts.get(0).size(), "the first sweep stopped after the step during which the write came");
      assertEquals(0, starts.get(0).get(0).length, "the first sweep started at the tree's start");
      byte[] resume = stoppedAt.get(0);
      assertNotNull(resume, "the first sweep stopped before the tree's end");
      assertArrayEquals(resume, starts.get(1).get(0), "the second sweep goes on where the first stopped");
      assertTrue(starts.get(1).size() > 10, "the second sweep went on to the end: " + starts.get(1).size() + " steps");
      assertNull(stoppedAt.get(1), "the second sweep reached the tree's end");
      assertTrue(s.get("space.drained_leaves") > 10, "few leaves drained: " + s);
      scanAndCountMessages(db, KEYS, "after both sweeps");
    }
  }

  // ---- crashes and faults in the drain's rounds ----

  private static final long SEED = 20261204L;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"WRITE, ONCE", "WRITE, FOREVER", "FSYNC, FOREVER"})
  void aFailedWriteOrSyncAndAPowerCutInTheDrainsRoundsLoseNothing(Kind kind, Mode mode, @TempDir Path scratch) {
    QuietSpells.faultsOverTheRoundsLoseNothing(kind, mode, SEED, QuietSpells.smallOptions(true), "space.drained_leaves",
        scratch);
  }
}
