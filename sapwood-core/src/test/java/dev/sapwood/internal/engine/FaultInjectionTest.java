package dev.sapwood.internal.engine;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.StorageException;
import dev.sapwood.SweepSample;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.engine.DurabilityModel.Event;
import dev.sapwood.internal.engine.DurabilityModel.Op;
import dev.sapwood.internal.engine.DurabilityModel.State;
import dev.sapwood.internal.io.FaultInjectingFileIo;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.FaultInjectingFileIo.Tearing;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.MemoryFileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fault sweeps under the file I/O seam. A single-threaded workload of {@code SYNC} and {@code
 * ASYNC} single writes and batches, blind {@code ADD_LONG} updates, range deletes, gets, syncs and
 * checkpoints runs through a {@link FaultInjectingFileIo}; for N over the whole workload the Nth
 * write / fsync / read / file-system call fails (once, for ever, or as a full disk). Then the power
 * goes, the cause is fixed, and a clean open must recover a state the {@link DurabilityModel}
 * permits: every acknowledged {@code SYNC} write and everything before it is there, batches are
 * whole or absent, at most the unacknowledged and {@code ASYNC} suffix is missing. Meanwhile the
 * first failure must reach a caller, and every write after a failed write or fsync must fail with
 * it. Power-loss runs tear the last unsynced write of each file instead of injecting errors.
 *
 * <p>Seeds: {@code -Dsapwood.faultSeed=...}; every failure message names the seed and the fault.
 */
@dev.sapwood.testlog.CapturesEngineLog
class FaultInjectionTest {
  private static final long SEED = Long.getLong("sapwood.faultSeed", 20240611L);
  private static final Path DIR = Path.of("/db");
  /** Largest number of runs per sweep; a longer workload is sampled with a stride. */
  private static final int MAX_RUNS = Integer.getInteger("sapwood.faultRuns", 300);
  private static final int OPS = 260;
  /**
   * A default run visits one point in this many of each sweep, from an offset that moves from run
   * to run, plus the pinned points ({@link SweepSample}); {@code -Dsapwood.sweep=full} (the stress
   * profile) visits every point.
   */
  private static final int SAMPLE_EVERY = 3;

  private static Options options(Durability d) {
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(64 << 10)
        .durability(d).syncInterval(Duration.ofHours(1)).checkpointInterval(Duration.ofDays(1));
  }

  /** What one workload run saw: the model and every exception callers got. */
  static final class Outcome {
    final DurabilityModel model;
    final List<RuntimeException> thrown = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    Database db;
    /** The next ascending key's number: puts above every other key, at the trees' right edge. */
    int ascending;

    Outcome(State base) {
      model = new DurabilityModel(base);
    }
  }

  // ---- the workload ----

  /**
   * Runs {@code ops} random operations (seeded) on a database opened through {@code io}, then
   * closes it unless {@code leaveOpen}. Every exception a call throws is recorded; anything but a
   * {@link StorageException} fails the test at once.
   */
  static Outcome runWorkload(FileIo io, State base, long seed, int ops, boolean leaveOpen, String ctx) {
    Outcome out = new Outcome(base);
    Random r = new Random(seed);
    Durability defaults = r.nextBoolean() ? Durability.SYNC : Durability.ASYNC;
    try {
      out.db = TestSeams.open(DIR, options(defaults), io);
    } catch (StorageException e) {
      out.thrown.add(e);
      return out;
    }
    if (io instanceof FaultInjectingFileIo f) {
      trialIo = f;
    }
    Tree a;
    Tree b;
    try {
      a = out.db.tree("a");
      b = out.db.tree("b");
    } catch (StorageException e) {
      out.thrown.add(e);
      return out;
    }
    for (int i = 0; i < ops; i++) {
      step(out, r, a, b, defaults, ctx + " op " + i);
    }
    if (!leaveOpen) {
      try {
        out.db.close();
        out.model.barrier();
      } catch (StorageException e) {
        out.thrown.add(e);
      }
    }
    return out;
  }

  private static byte[] key(Random r, String prefix, int range) {
    return String.format("%s%04d", prefix, r.nextInt(range)).getBytes(US_ASCII);
  }

  private static byte[] value(Random r) {
    byte[] v = new byte[r.nextInt(20) == 0 ? 1500 + r.nextInt(8000) : 20 + r.nextInt(200)];
    r.nextBytes(v);
    return v;
  }

  private static Op randomOp(Random r, Outcome out) {
    String tree = r.nextBoolean() ? "a" : "b";
    int p = r.nextInt(10);
    if (p == 4) { // an ascending key above every other: goes straight to the rightmost leaf (RightEdge)
      byte[] k = String.format("z%06d", out.ascending++).getBytes(US_ASCII);
      return new Op(DurabilityModel.PUT, tree, k, value(r));
    } else if (p < 5) {
      return new Op(DurabilityModel.PUT, tree, key(r, "k", 300), value(r));
    } else if (p < 7) {
      return new Op(DurabilityModel.DELETE, tree, key(r, r.nextBoolean() ? "k" : "c", 300), new byte[0]);
    } else {
      return new Op(DurabilityModel.ADD, tree, key(r, "c", 40), UpdateFunctions.fromLong(r.nextInt(1000) - 300));
    }
  }

  private static void step(Outcome out, Random r, Tree a, Tree b, Durability defaults, String ctx) {
    step(out, r, a, b, defaults, r.nextInt(100), ctx);
  }

  /** Writes only (no checkpoint or sync), so that a crash leaves a log to replay. */
  static void writeOnly(Outcome out, Random r, int n) {
    Tree a = out.db.tree("a");
    Tree b = out.db.tree("b");
    for (int i = 0; i < n; i++) {
      step(out, r, a, b, Durability.ASYNC, r.nextInt(80), "tail write " + i);
    }
  }

  private static void step(Outcome out, Random r, Tree a, Tree b, Durability defaults, int p, String ctx) {
    DurabilityModel m = out.model;
    Database db = out.db;
    if (p < 30) { // single write at the default durability
      Op op = randomOp(r, out);
      Tree t = op.tree().equals("a") ? a : b;
      write(out, List.of(op), defaults, ctx, () -> {
        switch (op.kind()) {
          case DurabilityModel.PUT -> t.put(op.key(), op.arg());
          case DurabilityModel.DELETE -> t.delete(op.key());
          default -> t.update(op.key(), UpdateFunctions.ADD_LONG, op.arg());
        }
      });
    } else if (p < 40) { // range delete at the default durability
      String tree = r.nextBoolean() ? "a" : "b";
      byte[] from = key(r, r.nextBoolean() ? "k" : "c", 300);
      byte[] to = from.clone();
      to[to.length - 1] += (byte) (1 + r.nextInt(8));
      to[to.length - 2] += (byte) r.nextInt(2);
      Op op = new Op(DurabilityModel.RANGE, tree, from, to);
      Tree t = tree.equals("a") ? a : b;
      write(out, List.of(op), defaults, ctx, () -> t.deleteRange(from, to));
    } else if (p < 80) { // a batch (maybe of one) at an explicit durability, over both trees
      Durability d = r.nextBoolean() ? Durability.SYNC : Durability.ASYNC;
      int n = 1 + r.nextInt(r.nextBoolean() ? 1 : 6);
      List<Op> ops = new ArrayList<>();
      WriteBatch batch = new WriteBatch();
      for (int i = 0; i < n; i++) {
        Op op = randomOp(r, out);
        Tree t = op.tree().equals("a") ? a : b;
        ops.add(op);
        switch (op.kind()) {
          case DurabilityModel.PUT -> batch.put(t, op.key(), op.arg());
          case DurabilityModel.DELETE -> batch.delete(t, op.key());
          default -> batch.update(t, op.key(), UpdateFunctions.ADD_LONG, op.arg());
        }
      }
      write(out, ops, d, ctx, () -> db.write(batch, d));
    } else if (p < 90) { // a read, checked while nothing has failed
      String tree = r.nextBoolean() ? "a" : "b";
      byte[] k = key(r, r.nextBoolean() ? "k" : "c", 300);
      try {
        byte[] got = (tree.equals("a") ? a : b).get(k);
        if (m.firstFailed() < 0 && out.thrown.isEmpty()) {
          assertArrayEquals(m.current.tree(tree).get(k), got, ctx + ": get " + tree + ":" + new String(k, US_ASCII));
        }
      } catch (StorageException e) {
        out.thrown.add(e);
      }
    } else if (p < 95) {
      barrier(out, ctx, db::sync);
    } else {
      barrier(out, ctx, db::checkpoint);
    }
  }

  private static void write(Outcome out, List<Op> ops, Durability d, String ctx, Runnable call) {
    Event e = out.model.begin(ops, d.toString());
    try {
      call.run();
      out.model.acked(e, d == Durability.SYNC);
    } catch (StorageException ex) {
      e.failed = true;
      out.thrown.add(ex);
    }
  }

  private static void barrier(Outcome out, String ctx, Runnable call) {
    try {
      call.run();
      out.model.barrier();
    } catch (StorageException ex) {
      out.thrown.add(ex);
    }
  }

  // ---- checks ----

  /**
   * Runs one trial on its own thread and fails, naming {@code ctx} and showing where the trial and
   * the database's threads are stuck, if it takes longer than {@code seconds} (a hang is a bug too).
   */
  /** The FileIo of the trial running now, for the message if it hangs. */
  static volatile FaultInjectingFileIo trialIo;

  static void withinSeconds(int seconds, String ctx, Runnable trial) {
    Throwable[] thrown = new Throwable[1];
    Thread t = new Thread(() -> {
      try {
        trial.run();
      } catch (Throwable e) {
        thrown[0] = e;
      }
    }, "trial");
    t.setDaemon(true);
    t.start();
    try {
      t.join(seconds * 1000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(ctx + ": interrupted", e);
    }
    if (t.isAlive()) {
      StringBuilder sb = new StringBuilder(ctx + ": hung for " + seconds + " s");
      FaultInjectingFileIo io = trialIo;
      if (io != null && io.firstInjected() != null) {
        sb.append("\n  after injecting ").append(io.firstInjected().getMessage()).append(" at:")
            .append(where(io.firstInjected()));
      }
      for (var e : Thread.getAllStackTraces().entrySet()) {
        String name = e.getKey().getName();
        if (e.getKey() == t || name.startsWith("sapwood")) {
          sb.append("\n  thread ").append(name).append(':');
          StackTraceElement[] frames = e.getValue();
          for (int i = 0; i < Math.min(frames.length, 24); i++) {
            sb.append("\n    at ").append(frames[i]);
          }
        }
      }
      throw new AssertionError(sb.toString());
    }
    if (thrown[0] instanceof Error err) {
      throw err;
    }
    if (thrown[0] != null) {
      throw new AssertionError(ctx + ": " + thrown[0], thrown[0]);
    }
  }

  /** The engine frames of {@code t}'s stack, for messages. */
  static String where(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().startsWith("dev.sapwood.internal") && !e.getClassName().contains("FaultInjecting")) {
        sb.append("\n    at ").append(e);
      }
    }
    return sb.toString();
  }

  private static boolean causedByAny(Throwable t, List<IOException> causes) {
    return injectedCause(t, causes) != null;
  }

  /** The injected failure in {@code t}'s cause chain, or null. */
  private static Throwable injectedCause(Throwable t, List<IOException> causes) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      for (IOException i : causes) {
        if (c == i) {
          return i;
        }
      }
    }
    return null;
  }

  private static boolean causedBy(Throwable t, Throwable cause) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c == cause) {
        return true;
      }
    }
    return false;
  }

  /**
   * An injected failure reached a caller (or the background made the database refuse writes with
   * it); after a failed write, fsync or file-system call every later write failed too, the last
   * with the sticky cause: an injected failure, though not necessarily the first injected, since
   * writes on several threads can fail at once.
   */
  private static void checkSurfaced(Outcome out, FaultInjectingFileIo io, Kind kind, String ctx) {
    Throwable first = io.firstInjected();
    if (first == null) {
      return;
    }
    // Writes on several threads can fail at once (a full disk fails every write); the one the
    // database keeps as its sticky cause is whichever failure it recorded first, which need not be
    // the one injected first. What must hold: an injected failure reached a caller.
    List<IOException> injected = io.injected();
    assertTrue(out.thrown.stream().anyMatch(t -> causedByAny(t, injected)),
        ctx + ": injected " + first.getMessage() + " never reached a caller (swallowed); thrown: " + out.thrown
            + "; injected at:" + where(first));
    int failed = out.model.firstFailed();
    if (failed < 0) {
      return; // e.g. a failed read in a get: reads may fail alone
    }
    for (int i = failed + 1; i < out.model.events.size(); i++) {
      Event e = out.model.events.get(i);
      assertTrue(e.failed, ctx + ": write #" + i + " succeeded after write #" + failed + " failed: " + e);
    }
    if (kind != Kind.READ) {
      RuntimeException last = out.thrown.get(out.thrown.size() - 1);
      assertNotNull(injectedCause(last, injected),
          ctx + ": the last exception does not carry the sticky injected cause: " + last);
    }
  }

  /** Power off (with {@code tearing}, if any), fix the cause, open cleanly and compare with the model. */
  private static Database crashAndCheck(MemoryFileIo mem, FaultInjectingFileIo io, Outcome out, Tearing tearing,
      String ctx) {
    io.crashAndTear(tearing, true);
    closeQuietly(out.db);
    Database db;
    try {
      db = TestSeams.open(DIR, options(Durability.ASYNC), mem);
    } catch (RuntimeException e) {
      throw new AssertionError(ctx + ": reopening after the crash failed: " + e, e);
    }
    String problem = out.model.check(State.read(db));
    if (problem != null) {
      closeQuietly(db);
      fail(ctx + ": " + problem);
    }
    return db;
  }

  /** Closes the database that lost its power; its FileIo is halted, so errors are expected. */
  private static void closeQuietly(Database db) {
    if (db == null) {
      return;
    }
    try {
      db.close();
    } catch (RuntimeException expected) {
      // the power is off: the close cannot write, and says so; only the background threads matter
    }
  }

  /** Runs {@code total} fault-free to count calls of {@code kind}, then the sampled N to sweep. */
  private static List<Long> sweepPoints(long total) {
    List<Long> points = new ArrayList<>();
    long stride = Math.max(1, (total + MAX_RUNS - 1) / MAX_RUNS);
    for (long n = 1; n <= total; n += stride) {
      points.add(n);
    }
    if (points.get(points.size() - 1) != total) {
      points.add(total);
    }
    return points;
  }

  /** {@code first}, {@code first + every}, ... up to {@code last}. */
  private static List<Long> steps(long first, long every, long last) {
    List<Long> out = new ArrayList<>();
    for (long n = first; n <= last; n += every) {
      out.add(n);
    }
    return out;
  }

  // ---- the sweeps ----

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "WRITE, ONCE", "WRITE, FOREVER", "WRITE, DISK_FULL",
      "FSYNC, ONCE", "FSYNC, FOREVER",
      "READ, ONCE", "READ, FOREVER",
      "META, ONCE", "META, FOREVER"})
  void everyAcknowledgedSyncWriteSurvivesAFailureAtAnyPoint(Kind kind, Mode mode) {
    MemoryFileIo created = createdEmpty();
    FaultInjectingFileIo probe = new FaultInjectingFileIo(CrashSweeps.copy(created), SEED);
    runWorkload(probe, new State(), SEED, OPS, false, "probe");
    long total = probe.count(kind);
    assertTrue(total > 0 || kind == Kind.READ, "the workload makes no " + kind + " call");
    if (total == 0) {
      return;
    }
    int[] injected = {0};
    SweepSample sample = SweepSample.of("FaultInjectionTest " + kind + " " + mode, SAMPLE_EVERY);
    // Pinned: DISK_FULL at WRITE #156 (seed 20240611) once left a sticky cause that was not the
    // first injected failure (commit 32a13f6; the workload has changed since, the point is kept).
    long[] pinned = kind == Kind.WRITE && mode == Mode.DISK_FULL ? new long[] {156} : new long[0];
    for (long n : sample.pick(sweepPoints(total), pinned)) {
      String ctx = "seed " + SEED + ", " + kind + " #" + n + " of " + total + " fails " + mode + "; sample " + sample;
      withinSeconds(20, ctx, () -> {
      MemoryFileIo mem = CrashSweeps.copy(created);
      FaultInjectingFileIo io = new FaultInjectingFileIo(mem, SEED + n);
      io.failAt(kind, n, mode);
      Outcome out = runWorkload(io, new State(), SEED, OPS, true, ctx);
      // Asked once: a background write-back may fail between two asks, and then neither the probe
      // below nor the close ran, and the failure reached no caller (seen once in CI, when a quiet
      // cache began writing back its backbone after the last write).
      boolean faulted = io.firstInjected() != null;
      if (faulted) {
        injected[0]++;
        if (out.db != null) {
          // A flush a late write handed over may still be running, and may be where the fault
          // struck: let it end, so that its failure is recorded before the write below asks.
          TestSeams.stopBackground((DatabaseImpl) out.db);
          // After a failure the database must still refuse writes, with the first cause; after a
          // read that failed in a background flush, the write below is the first to be refused.
          Op after = new Op(DurabilityModel.PUT, "a", "after".getBytes(US_ASCII), new byte[1]);
          Event e = out.model.begin(List.of(after), "probe");
          try {
            out.db.tree("a").put("after".getBytes(US_ASCII), new byte[1]);
            out.model.acked(e, false);
          } catch (StorageException ex) {
            e.failed = true;
            out.thrown.add(ex);
          } catch (IllegalStateException notOpen) {
            // opening failed half-way: there is nothing to write to
          }
        }
      }
      if (out.db != null && !faulted) {
        barrier(out, ctx, out.db::close); // the fault may be in the close's checkpoint, or in a late background write
      }
      checkSurfaced(out, io, kind, ctx);
      crashAndCheck(mem, io, out, null, ctx).close();
      });
    }
    assertTrue(injected[0] > 0, kind + " " + mode + ": no fault was ever injected");
  }

  /**
   * Recovery under faults: a crashed database with a log to replay is opened through a faulty
   * FileIo (the Nth read, write, fsync or file-system call of open, recovery and a few writes
   * fails), then crashes again; a clean open must still find everything that was durable.
   */
  @ParameterizedTest
  @EnumSource(value = Kind.class, names = {"WRITE", "META", "READ"})
  void recoveryThatFailsPartWayLosesNothingDurable(Kind kind) {
    recoverySweep(kind);
  }

  /**
   * The same sweep for fsyncs. Fails at FSYNC #10 FOREVER (seed 20240611): the fsync of
   * sapwood.db in a checkpoint fails and the database refuses writes; then close() skips its
   * checkpoint but still fsyncs the log, that fsync (#11) fails too, and close() throws the new
   * failure, which does not carry the first cause (expected: the first cause, later ones
   * suppressed).
   */
  @ParameterizedTest
  @EnumSource(value = Kind.class, names = {"FSYNC"})
  void recoveryThatFailsPartWayLosesNothingDurableFsync(Kind kind) {
    recoverySweep(kind);
  }

  private void recoverySweep(Kind kind) {
    // A database that crashed with a log behind its last checkpoint.
    MemoryFileIo origin = new MemoryFileIo();
    FaultInjectingFileIo originIo = new FaultInjectingFileIo(origin, SEED);
    Outcome first = runWorkload(originIo, new State(), SEED + 1, 180, true, "origin");
    writeOnly(first, new Random(SEED), 40);
    originIo.crashAndTear(null, true);
    closeQuietly(first.db);
    State truth;
    try (Database db = TestSeams.open(DIR, options(Durability.ASYNC), CrashSweeps.copy(origin))) {
      truth = State.read(db);
      assertTrue(db.stats().get("recovery.records_replayed") > 0, "the crashed database has no log to replay: thrown "
          + first.thrown + ", events " + first.model.events.size() + ", durable " + first.model.durableUpTo + ", "
          + db.stats().counters());
    }
    String p = first.model.check(truth);
    assertTrue(p == null, "seed " + SEED + ": recovery of the origin: " + p);

    FaultInjectingFileIo probe = new FaultInjectingFileIo(CrashSweeps.copy(origin), SEED);
    runWorkload(probe, truth, SEED + 2, 20, false, "probe");
    long total = probe.count(kind);
    SweepSample sample = SweepSample.of("FaultInjectionTest recovery " + kind, SAMPLE_EVERY);
    // Pinned: where the recovery sweep caught bugs (seed 20240611): FSYNC #3 and #10/#11 FOREVER
    // (a later failure replaced the first cause; commits af0c068, 050e842), READ #25 ONCE (a failed
    // node load left a latch held: the next write hung; commit af0c068).
    long[] pinned = switch (kind) {
      case FSYNC -> new long[] {3, 10, 11};
      case READ -> new long[] {25};
      default -> new long[0];
    };
    for (long n : sample.pick(sweepPoints(total), pinned)) {
      String ctx = "seed " + SEED + ", recovery with " + kind + " #" + n + " of " + total + " failing; sample " + sample;
      for (Mode mode : new Mode[] {Mode.ONCE, Mode.FOREVER}) {
        withinSeconds(20, ctx + " " + mode, () -> {
          MemoryFileIo mem = CrashSweeps.copy(origin);
          FaultInjectingFileIo io = new FaultInjectingFileIo(mem, SEED + n);
          io.failAt(kind, n, mode);
          Outcome out = runWorkload(io, truth, SEED + 2, 20, false, ctx + " " + mode);
          checkSurfaced(out, io, kind, ctx + " " + mode);
          crashAndCheck(mem, io, out, null, ctx + " " + mode).close();
        });
      }
    }
  }

  /**
   * Power loss without errors: at points through the workload the power goes and the last
   * unsynced write of each file is torn at a 512 B or 4 KiB boundary or a random byte; recovery
   * must cut the torn log tail silently (or find a torn group frame's records still staged in the
   * slot) and find every durable write.
   */
  @ParameterizedTest
  @EnumSource(Tearing.class)
  void powerLossTearingTheLastWriteLosesNothingDurable(Tearing tearing) {
    long tornWrites = 0;
    int runs = 0;
    SweepSample sample = SweepSample.of("FaultInjectionTest tearing " + tearing, SAMPLE_EVERY);
    for (long point : sample.pick(steps(1, 3, OPS))) {
      int ops = (int) point;
      String ctx = "seed " + SEED + ", power lost after op " + ops + ", tearing " + tearing + "; sample " + sample;
      MemoryFileIo mem = new MemoryFileIo();
      FaultInjectingFileIo io = new FaultInjectingFileIo(mem, SEED + ops);
      Outcome out = runWorkload(io, new State(), SEED, ops, true, ctx);
      assertTrue(out.thrown.isEmpty(), ctx + ": failed without a fault: " + out.thrown);
      crashAndCheck(mem, io, out, tearing, ctx).close();
      tornWrites += io.tornLogWrites(); // a group frame, or a staged one in the slot
      runs++;
    }
    assertTrue(tornWrites > 0, "no run tore a log write (" + runs + " runs): the test does not test tearing");
  }

  /**
   * The disk may write back unsynced pages in any order: the last unsynced log write can reach
   * the disk while an earlier one did not, leaving zeros before it. Nothing acknowledged as
   * durable is in that region, so recovery must still open and find every durable write.
   */
  @Test
  void powerLossThatReordersUnsyncedWritesLosesNothingDurable() {
    SweepSample sample = SweepSample.of("FaultInjectionTest reordered", SAMPLE_EVERY);
    // Pinned: power lost after op 33 (seed 20240611) made recovery a CorruptionException before the
    // log records carried the synced LSN (commit af0c068).
    for (long point : sample.pick(steps(5, 7, OPS), 33)) {
      int ops = (int) point;
      String ctx = "seed " + SEED + ", power lost after op " + ops + ", unsynced writes reordered; sample " + sample;
      MemoryFileIo mem = new MemoryFileIo();
      FaultInjectingFileIo io = new FaultInjectingFileIo(mem, SEED + ops);
      Outcome out = runWorkload(io, new State(), SEED, ops, true, ctx);
      io.crashAndTear(Tearing.SECTOR_512, false);
      closeQuietly(out.db);
      Database db;
      try {
        db = TestSeams.open(DIR, options(Durability.ASYNC), mem);
      } catch (RuntimeException e) {
        throw new AssertionError(ctx + ": reopening failed: " + e, e);
      }
      try (db) {
        String problem = out.model.check(State.read(db));
        assertTrue(problem == null, ctx + ": " + problem);
      }
    }
  }

  /** A fault-free run's model agrees with a clean close and reopen (the harness checks itself). */
  @Test
  void theWorkloadAndModelAgreeWithoutFaults() {
    MemoryFileIo mem = new MemoryFileIo();
    FaultInjectingFileIo io = new FaultInjectingFileIo(mem, SEED);
    Outcome out = runWorkload(io, new State(), SEED, OPS, false, "clean");
    assertTrue(out.thrown.isEmpty(), "clean run threw " + out.thrown);
    assertNotNull(out.db);
    assertTrue(io.count(Kind.WRITE) > 100 && io.count(Kind.FSYNC) > 20, "workload too small: writes "
        + io.count(Kind.WRITE) + ", fsyncs " + io.count(Kind.FSYNC) + ", reads " + io.count(Kind.READ));
    try (Database db = TestSeams.open(DIR, options(Durability.ASYNC), mem)) {
      String d = out.model.current.diff(State.read(db));
      assertTrue(d == null, "after a clean close: " + d);
    }
  }

  /** A database created and closed without faults (creating one is swept by its own test). */
  private static MemoryFileIo createdEmpty() {
    MemoryFileIo mem = new MemoryFileIo();
    TestSeams.open(DIR, options(Durability.ASYNC), mem).close();
    return mem;
  }

  /**
   * A database whose creation was cut short — by a failed write or fsync, or by a power loss
   * after any write of the creation — must open afterwards, as an empty database (nothing was
   * acknowledged).
   */
  @Test
  void aDatabaseWhoseCreationWasInterruptedOpensAfterwards() {
    FaultInjectingFileIo probe = new FaultInjectingFileIo(new MemoryFileIo(), SEED);
    TestSeams.open(DIR, options(Durability.ASYNC), probe).close();
    for (Kind kind : new Kind[] {Kind.WRITE, Kind.FSYNC}) {
      for (long n = 1; n <= probe.count(kind); n++) {
        String ctx = "creation with " + kind + " #" + n + " failing";
        MemoryFileIo mem = new MemoryFileIo();
        FaultInjectingFileIo io = new FaultInjectingFileIo(mem, SEED);
        io.failAt(kind, n, Mode.FOREVER);
        try {
          TestSeams.open(DIR, options(Durability.ASYNC), io).close();
        } catch (StorageException expected) {
          // the creation failed; the power goes too
        }
        io.crashAndTear(null, true);
        try (Database db = TestSeams.open(DIR, options(Durability.ASYNC), mem)) {
          assertTrue(db.treeNames().isEmpty(), ctx);
        } catch (RuntimeException e) {
          throw new AssertionError(ctx + ": " + e, e);
        }
      }
    }
  }
}
