package dev.sapwood.internal.engine;

import static dev.sapwood.internal.engine.CrashSweeps.DIR;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.engine.CrashSweeps.Trial;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Leaf deltas across crashes: a workload of acknowledged ({@code SYNC}) puts, deletes and range
 * deletes over small nodes, so that flushes append to leaves' deltas and consolidate them while
 * checkpoints and evictions write deltas alone and leaves whole; the power goes after every
 * number of steps, or the Nth write or fsync fails and then the power goes (with torn unsynced
 * writes), at points spread over the whole run. After each, a clean open holds every acknowledged
 * write (and the one in flight, or not), the verifier finds no leaked, missing or damaged block,
 * delta index and segment blocks included. With a ratio of 8 leaves hold deltas of several
 * immutable segments, so cuts and faults fall between a new segment's write and its index's.
 * (The sweeps and the checks: {@link CrashSweeps}.)
 */
@dev.sapwood.testlog.CapturesEngineLog
class LeafDeltaCrashTest {
  private static final long SEED = 20261202L;
  private static final int STEPS = 2500;
  private static final int KEYS = 600;

  private static Options options() {
    return options(1);
  }

  /** {@code ratio} above 1: leaves' deltas collect several immutable segments before consolidating. */
  private static Options options(double ratio) {
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(64 << 10)
        .durability(Durability.SYNC).syncInterval(Duration.ofHours(1)).checkpointInterval(Duration.ofDays(1))
        .leafDeltaRatio(ratio);
  }

  private static byte[] key(int i) {
    return String.format("key%05d", i).getBytes();
  }

  /**
   * What the workload has done: the state all acknowledged steps made, and the step in flight (its
   * change, applied to a copy of the acknowledged state only when a check asks: copying the state
   * at every step cost more than the steps).
   */
  private static final class Model {
    final TreeMap<byte[], byte[]> acked = new TreeMap<>(Arrays::compareUnsigned);
    Consumer<TreeMap<byte[], byte[]>> flying;

    /** The acknowledged state with the step in flight applied; null if none was in flight. */
    TreeMap<byte[], byte[]> inFlight() {
      if (flying == null) {
        return null;
      }
      TreeMap<byte[], byte[]> next = new TreeMap<>(acked);
      flying.accept(next);
      return next;
    }
  }

  /** Runs the workload until it ends, {@code stopAfter} steps, or the database fails. */
  private static void run(Database db, Model m, int stopAfter) {
    Random r = new Random(SEED);
    Tree t = db.tree("t");
    for (int step = 0; step < Math.min(STEPS, stopAfter); step++) {
      int op = r.nextInt(100);
      int k = r.nextInt(KEYS);
      if (op < 70) {
        byte[] v = new byte[20 + r.nextInt(50)];
        r.nextBytes(v);
        m.flying = next -> next.put(key(k), v);
        t.put(key(k), v);
      } else if (op < 95) {
        m.flying = next -> next.remove(key(k));
        t.delete(key(k));
      } else if (op < 97) {
        int hi = Math.min(KEYS, k + 1 + r.nextInt(15));
        m.flying = next -> next.subMap(key(k), true, key(hi), false).clear();
        t.deleteRange(key(k), key(hi));
      } else if (op == 97 || op == 98) {
        m.flying = next -> {};
        db.checkpoint();
      } else {
        m.flying = next -> {};
      }
      m.flying.accept(m.acked);
      m.flying = null;
    }
  }

  /** A run of the workload stopping after {@code stopAfter} steps, checked as {@link CrashSweeps#assertRecovered}. */
  private static Trial trial(int stopAfter, Path scratch) {
    Model m = new Model();
    return new Trial(db -> run(db, m, stopAfter),
        (mem, ctx) -> CrashSweeps.assertRecovered(mem, options(), m.acked, m.inFlight(), scratch, ctx));
  }

  @ParameterizedTest(name = "ratio {0}")
  @CsvSource({"1", "8"})
  void aPowerCutAfterAnyStepKeepsEveryAcknowledgedWrite(double ratio, @TempDir Path scratch) {
    MemoryFileIo base = CrashSweeps.created(options());
    Stats whole;
    try (Database db = TestSeams.open(DIR, options(ratio), CrashSweeps.copy(base))) {
      run(db, new Model(), Integer.MAX_VALUE);
      whole = db.stats();
    }
    assertTrue(whole.get("flush.leaf_delta_appends") > 5, "the workload appends to few deltas: " + whole);
    assertTrue(whole.get("flush.leaf_consolidations") > (ratio > 1 ? 1 : 3), "the workload consolidates few deltas: " + whole);
    assertTrue(whole.get("node_write.deltas") > 5, "the workload writes few deltas: " + whole);
    if (ratio > 1) {
      assertTrue(whole.get("node_write.deltas") > 2 * whole.get("flush.leaf_consolidations"),
          "deltas of several segments: " + whole);
    }
    CrashSweeps.powerCuts(base, options(ratio), 37, 131, STEPS, stop -> trial(stop, scratch), "seed " + SEED);
  }

  @ParameterizedTest(name = "{0} {1} ratio {2}")
  @CsvSource({"WRITE, ONCE, 1", "WRITE, FOREVER, 1", "FSYNC, FOREVER, 1", "WRITE, ONCE, 8", "FSYNC, FOREVER, 8"})
  void aFailedWriteOrSyncWhileDeltasAreWrittenLosesNoAcknowledgedWrite(Kind kind, Mode mode, double ratio,
      @TempDir Path scratch) {
    CrashSweeps.faultSweep(kind, mode, SEED, CrashSweeps.created(options()), options(ratio), 30, false,
        () -> trial(Integer.MAX_VALUE, scratch));
  }
}
