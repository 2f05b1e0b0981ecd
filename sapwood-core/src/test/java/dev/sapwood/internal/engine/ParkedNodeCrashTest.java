package dev.sapwood.internal.engine;

import static dev.sapwood.internal.engine.CrashSweeps.DIR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.engine.CrashSweeps.Trial;
import dev.sapwood.internal.io.FaultInjectingFileIo;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Dirty internal nodes parked off-heap ({@code tree.ParkedNodes}) across checkpoints, crashes and
 * failed writes: a random workload of acknowledged ({@code SYNC}) puts and deletes over a tree
 * whose internal level does not fit the heap cache, so the clock parks dirty internal nodes in the
 * tier's slabs, loads them back, and checkpoints write them; with a roomy tier nothing spills, with
 * a tight one the parked memory fills and the oldest images are written to make room. After a
 * power cut at points spread over the run (after checkpoints that wrote parked images and with
 * nodes parked at the cut), or the Nth write or fsync failing and then the power going, a clean
 * open holds every acknowledged write (and the one in flight, or not), and the verifier finds no
 * leaked, missing or damaged block (the sweeps and the checks: {@link CrashSweeps}).
 */
@dev.sapwood.testlog.CapturesEngineLog
class ParkedNodeCrashTest {
  private static final long SEED = 20261203L;
  private static final int STEPS = 12_000;
  private static final int KEYS = 6_000;
  /** Steps at least before the checkpoint whose every write {@link #aFailedWriteAtEachStepOfACheckpointOfParkedImagesLosesNoAcknowledgedWrite} fails. */
  private static final int LEAD = 6_000;

  /**
   * Small nodes and a heap cache of 128 KiB (roomy) or 64 KiB (tight): the internal level (a few
   * hundred KiB) does not fit. A roomy tier lends up to 8 slabs of 64 KiB to parking; a tight one
   * a single slab, which fills.
   */
  private static Options options(boolean roomy) {
    long cache = roomy ? 832 << 10 : 192 << 10;
    double share = roomy ? 0.9 : 0.67;
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(cache)
        .offHeapCacheShare(share).durability(Durability.SYNC).syncInterval(Duration.ofHours(1))
        .checkpointInterval(Duration.ofDays(1));
  }

  private static byte[] key(int i) {
    return String.format("key%07d", i * 7919 % 1_000_003).getBytes();
  }

  /** The acknowledged state, and the step in flight (a key and its new value, null: deleted). */
  private static final class Model {
    final TreeMap<byte[], byte[]> acked = new TreeMap<>(Arrays::compareUnsigned);
    byte[] flyingKey;
    byte[] flyingValue;
    /** The workload's random choices and the next step: a run goes on where the model's last one stopped. */
    final Random r = new Random(SEED);
    int next;
  }

  /** Runs the workload from the model's next step until it ends, {@code stopAfter} steps, or the database fails. */
  private static void run(Database db, Model m, int stopAfter) {
    Random r = m.r;
    Tree t = db.tree("t");
    for (int step = m.next; step < Math.min(STEPS, stopAfter); step = ++m.next) {
      int op = r.nextInt(1000);
      byte[] k = key(r.nextInt(KEYS));
      if (op < 3) {
        db.checkpoint();
        continue;
      }
      byte[] v = null;
      if (op >= 120) {
        v = new byte[30 + r.nextInt(40)];
        r.nextBytes(v);
        Arrays.fill(v, 0, 10, (byte) step);
      }
      m.flyingKey = k;
      m.flyingValue = v;
      if (v == null) {
        t.delete(k);
        m.acked.remove(k);
      } else {
        t.put(k, v);
        m.acked.put(k, v);
      }
      m.flyingKey = null;
    }
  }

  /**
   * A run of the workload stopping after {@code stopAfter} steps, checked as {@link
   * CrashSweeps#assertRecovered}; its checks name the nodes parked when the run stopped.
   */
  private static Trial trial(int stopAfter, Path scratch) {
    Model m = new Model();
    long[] parkedAtStop = {-1};
    return new Trial(db -> {
      run(db, m, stopAfter);
      parkedAtStop[0] = db.stats().get("cache.parked_nodes");
    }, (mem, ctx) -> {
      TreeMap<byte[], byte[]> inFlight = null;
      if (m.flyingKey != null) {
        inFlight = new TreeMap<>(m.acked);
        if (m.flyingValue == null) {
          inFlight.remove(m.flyingKey);
        } else {
          inFlight.put(m.flyingKey, m.flyingValue);
        }
      }
      String parked = parkedAtStop[0] < 0 ? "" : " with " + parkedAtStop[0] + " nodes parked";
      CrashSweeps.assertRecovered(mem, options(false), m.acked, inFlight, scratch, ctx + parked);
    });
  }

  @Test
  void parkedNodesAreLoadedBackAndWrittenByTheCheckpoint() {
    MemoryFileIo mem = CrashSweeps.created(options(false));
    Model m = new Model();
    DatabaseImpl db = TestSeams.open(DIR, options(true), mem);
    try {
      run(db, m, STEPS);
      Stats st = db.stats();
      assertTrue(st.get("cache.parked") > 20, "dirty internal nodes were parked: " + st);
      assertTrue(st.get("cache.unparked") > 10, "and loaded back from their images: " + st);
      assertEquals(0, st.get("cache.parked_spills"), "a roomy tier never spills");
      assertTrue(st.get("cache.parked_checkpoint_writes") > 0, "checkpoints wrote parked images: " + st);
      assertTrue(st.get("cache.parked_held_bytes") <= st.get("cache.offheap_budget_bytes") * 15 / 16,
          "parking holds at most fifteen sixteenths of the tier");
      assertTrue(st.get("cache.offheap_bytes") <= st.get("cache.offheap_budget_bytes"), "within the tier's budget");
      Tree t = db.tree("t");
      for (Map.Entry<byte[], byte[]> e : m.acked.entrySet()) {
        assertArrayEquals(e.getValue(), t.get(e.getKey()), "while open");
      }
      db.checkpoint();
      assertEquals(0, db.stats().get("cache.parked_nodes"), "a checkpoint leaves nothing parked");
    } finally {
      db.close();
    }
    try (Database again = TestSeams.open(DIR, options(false), mem)) {
      Tree t = again.tree("t");
      for (Map.Entry<byte[], byte[]> e : m.acked.entrySet()) {
        assertArrayEquals(e.getValue(), t.get(e.getKey()), "after a clean close and reopen");
      }
    }
  }

  @ParameterizedTest(name = "roomy tier {0}")
  @CsvSource({"true", "false"})
  void aPowerCutWithNodesParkedKeepsEveryAcknowledgedWrite(boolean roomy, @TempDir Path scratch) {
    MemoryFileIo base = CrashSweeps.created(options(false));
    Stats whole;
    try (Database db = TestSeams.open(DIR, options(roomy), CrashSweeps.copy(base))) {
      run(db, new Model(), Integer.MAX_VALUE);
      whole = db.stats();
    }
    assertTrue(whole.get("cache.parked") > 20, "nodes were parked: " + whole);
    assertTrue(whole.get("cache.parked_checkpoint_writes") > 0, "checkpoints wrote parked images: " + whole);
    if (!roomy) {
      assertTrue(whole.get("cache.parked_spills") > 10, "the parked memory filled and spilled: " + whole);
    }
    CrashSweeps.powerCuts(base, options(roomy), 1_111, 1_777, STEPS, stop -> trial(stop, scratch),
        "seed " + SEED + ", roomy " + roomy);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"WRITE, ONCE", "WRITE, FOREVER", "FSYNC, FOREVER"})
  void aFailedWriteOrSyncWhileParkedImagesAreWrittenLosesNoAcknowledgedWrite(Kind kind, Mode mode,
      @TempDir Path scratch) {
    CrashSweeps.faultSweep(kind, mode, SEED, CrashSweeps.created(options(false)), options(false), 8, true,
        () -> trial(Integer.MAX_VALUE, scratch));
  }

  /** The workload's first {@code lead} steps, then a checkpoint (it writes the parked images), checked as {@link #trial}. */
  private static Trial checkpointTrial(int lead, Path scratch) {
    Trial t = trial(lead, scratch);
    return new Trial(db -> {
      t.run().accept(db);
      db.checkpoint();
    }, t.check());
  }

  /**
   * Every write of a checkpoint that writes parked images (each given its buffer filters on the way:
   * {@code tree.ParkedFilters}) fails in turn, then the power goes: nothing acknowledged is lost.
   * The checkpoint's writes are numbered by a probe run; a trial's numbers drift from the probe's
   * with the background's timing (eviction parks and writes when it gets to it), by more than the
   * checkpoint's 13–45 writes at times, so when no trial of a window reached a fault the window is
   * probed again (at most {@link #PROBES} times): the sweep must inject faults, and every trial
   * with one must lose nothing.
   */
  @Test
  void aFailedWriteAtEachStepOfACheckpointOfParkedImagesLosesNoAcknowledgedWrite(@TempDir Path scratch) {
    MemoryFileIo base = CrashSweeps.created(options(false));
    int injected = 0;
    for (int probe = 0; probe < PROBES && injected == 0; probe++) {
      CheckpointWrites w = probeCheckpoint(base);
      injected = CrashSweeps.faultEach(Kind.WRITE, Mode.ONCE, SEED, base, options(true), w.first(),
          w.last(), () -> checkpointTrial(w.lead(), scratch));
    }
    assertTrue(injected > 0, "WRITE ONCE: no fault was injected in " + PROBES + " probed windows");
  }

  /** Probes of the checkpoint's writes the sweep may take when the trials drift past one. */
  private static final int PROBES = 3;

  /** The write numbers {@code [first, last]} of a checkpoint taken after the workload's step {@code lead}. */
  private record CheckpointWrites(long first, long last, int lead) {}

  /**
   * Runs the workload on a copy of {@code base} to a step with nodes parked and checkpoints: the
   * checkpoint's writes, after checking that it wrote parked images with their filters.
   */
  private static CheckpointWrites probeCheckpoint(MemoryFileIo base) {
    FaultInjectingFileIo probe = new FaultInjectingFileIo(CrashSweeps.copy(base), SEED);
    long from;
    long to;
    long parked;
    Stats before;
    Stats after;
    int lead;
    try (Database db = TestSeams.open(DIR, options(true), probe)) { // roomy: images stay parked until the checkpoint
      Model m = new Model();
      run(db, m, LEAD);
      while (db.stats().get("cache.parked_nodes") == 0 && m.next < STEPS) {
        run(db, m, m.next + 50); // on to a step with nodes parked
      }
      lead = m.next;
      before = db.stats();
      parked = before.get("cache.parked_nodes");
      from = probe.count(Kind.WRITE);
      db.checkpoint();
      to = probe.count(Kind.WRITE);
      after = db.stats();
    }
    System.out.println("ParkedNodeCrashTest: the checkpoint after step " + lead + " makes writes #" + (from + 1)
        + " to #" + to + ", " + parked + " nodes parked at its begin");
    assertTrue(parked > 0, "nodes were parked at the checkpoint: " + before);
    assertTrue(after.get("cache.parked_checkpoint_writes") > before.get("cache.parked_checkpoint_writes"),
        "the checkpoint wrote parked images: " + after);
    assertTrue(after.get("node_write.buffer_filters_built") > before.get("node_write.buffer_filters_built"),
        "with their filters: " + after);
    return new CheckpointWrites(from + 1, to, lead);
  }
}
