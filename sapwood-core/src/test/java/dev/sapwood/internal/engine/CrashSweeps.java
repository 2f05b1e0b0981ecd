package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.StorageException;
import dev.sapwood.SweepSample;
import dev.sapwood.internal.io.FaultInjectingFileIo;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.tools.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The sweeps the engine's crash tests share ({@link LeafDeltaCrashTest}, {@link
 * ParkedNodeCrashTest}, {@link QuietSweepTest}, {@link BulkLoadCrashTest}): a workload over in-memory files of a database at {@link #DIR} with one
 * tree "t", ended by a power cut after a number of its steps, or by the Nth write or fsync failing
 * and then the power going (with torn unsynced writes); and the check after each, that a clean open
 * holds every acknowledged write (and the one in flight, or not), that gets agree with the cursor,
 * and that the verifier finds no leaked, missing or damaged block.
 */
final class CrashSweeps {
  static final Path DIR = Path.of("/db");
  /**
   * A default run visits one point in this many of each sweep here, from an offset that moves from
   * run to run ({@link SweepSample}); {@code -Dsapwood.sweep=full} (the stress profile) visits all.
   */
  static final int SAMPLE_EVERY = 2;

  private CrashSweeps() {}

  /**
   * One run of a test's workload: {@code run} drives it against a database until it ends, reaches
   * its stop, or the database fails; {@code check} then checks the files the crash left against
   * what the run acknowledged, {@code ctx} naming the point of the sweep. In a {@link #faultSweep},
   * {@code afterFault} runs on the live database after a run in which the fault was injected,
   * before the power goes (what the failure left: writes refused, say).
   */
  record Trial(Consumer<DatabaseImpl> run, BiConsumer<MemoryFileIo, String> check,
      BiConsumer<DatabaseImpl, String> afterFault) {
    /** A trial with nothing to check on the live database after a fault. */
    Trial(Consumer<DatabaseImpl> run, BiConsumer<MemoryFileIo, String> check) {
      this(run, check, (db, ctx) -> {});
    }
  }

  /** The files of a database created with {@code options} holding an empty tree "t", checkpointed. */
  static MemoryFileIo created(Options options) {
    MemoryFileIo mem = new MemoryFileIo();
    try (Database db = TestSeams.open(DIR, options, mem)) {
      db.tree("t");
      db.checkpoint();
    }
    return mem;
  }

  /**
   * A base database's files, made on first use and then kept for the test class: callers {@link
   * #copy} them and never write them (no background thread may either).
   */
  static final class Base {
    private final Supplier<MemoryFileIo> make;
    private MemoryFileIo files;

    Base(Supplier<MemoryFileIo> make) {
      this.make = make;
    }

    synchronized MemoryFileIo files() {
      if (files == null) {
        files = make.get();
      }
      return files;
    }
  }

  /** A copy of the database's files (its write-ahead log's included). */
  static MemoryFileIo copy(MemoryFileIo src) {
    MemoryFileIo dst = new MemoryFileIo();
    List<Path> files = new ArrayList<>(src.list(DIR));
    files.addAll(src.list(DIR.resolve(DatabaseOpener.WAL_DIR)));
    for (Path p : files) {
      dst.setContents(p, src.contents(p));
    }
    return dst;
  }

  /**
   * For every {@code stop} from {@code first} to {@code last} by {@code every}: runs {@code
   * trial.apply(stop)} over a copy of {@code base}, cuts the power, and checks it ({@code ctx}
   * followed by ", power cut after step" and the stop). A default run visits a sample of the stops
   * ({@link #SAMPLE_EVERY}; the first and last always).
   */
  static void powerCuts(MemoryFileIo base, Options options, int first, int every, int last,
      IntFunction<Trial> trial, String ctx) {
    SweepSample sample = SweepSample.of(caller() + " power cuts, " + ctx, SAMPLE_EVERY);
    for (long point : sample.pick(steps(first, every, last))) {
      int stop = (int) point;
      MemoryFileIo mem = copy(base);
      Trial t = trial.apply(stop);
      DatabaseImpl db = TestSeams.open(DIR, options, mem);
      t.run().accept(db);
      TestSeams.halt(db);
      mem.crash();
      t.check().accept(mem, ctx + ", power cut after step " + stop + "; sample " + sample);
    }
  }

  /**
   * Counts the {@code kind} operations a whole trial makes over a copy of {@code base}, then for
   * about {@code points} of them spread over the run (from the first, or from the middle of the
   * first stride if {@code midStride}) runs a new trial whose Nth {@code kind} fails ({@code mode}),
   * cuts the power tearing unsynced writes, and checks it. A run may end in a {@link
   * StorageException} or an {@link IllegalStateException} (the failure reached it); any other
   * exception fails the sweep, as does a fault never injected. A default run visits a sample of
   * those points ({@link #SAMPLE_EVERY}; the first and last always).
   */
  static void faultSweep(Kind kind, Mode mode, long seed, MemoryFileIo base, Options options, int points,
      boolean midStride, Supplier<Trial> trial) {
    FaultInjectingFileIo probe = new FaultInjectingFileIo(copy(base), seed);
    long before;
    try (DatabaseImpl db = TestSeams.open(DIR, options, probe)) {
      before = probe.count(kind);
      trial.get().run().accept(db);
    }
    long total = probe.count(kind);
    long stride = Math.max(1, (total - before) / points);
    int injected = 0;
    SweepSample sample = SweepSample.of(caller() + " " + kind + " " + mode, SAMPLE_EVERY);
    for (long n : sample.pick(steps(before + (midStride ? stride / 2 : 0) + 1, stride, total))) {
      injected += failAt(kind, n, total, mode, seed, base, options, trial.get(), sample);
    }
    assertTrue(injected > 0, kind + " " + mode + ": no fault was injected");
  }

  /**
   * For each {@code n} from {@code first} to {@code last}: runs a new trial over a copy of {@code
   * base} whose Nth {@code kind} operation (counted from the open) fails ({@code mode}), cuts the
   * power tearing unsynced writes, and checks it: every step of a stretch of the run, such as a
   * checkpoint's writes. Not sampled: every run visits every point. Returns how many of the trials
   * had a fault injected (0 when every trial made fewer than {@code first} such operations): the
   * caller asserts on it, probing again first if the trials drifted past the stretch.
   */
  static int faultEach(Kind kind, Mode mode, long seed, MemoryFileIo base, Options options, long first,
      long last, Supplier<Trial> trial) {
    int injected = 0;
    // Whole, not sampled: the trials' write numbers drift from the probe's with the background's
    // timing, and with half the points a verify run injected no fault at all (ParkedNodeCrashTest).
    SweepSample all = SweepSample.of(caller() + " each " + kind + " " + mode, 1);
    for (long n = first; n <= last; n++) {
      injected += failAt(kind, n, last, mode, seed, base, options, trial.get(), all);
    }
    return injected;
  }

  /** One trial of a sweep whose {@code n}th {@code kind} (of about {@code total}) fails; 1 if a fault was injected. */
  private static int failAt(Kind kind, long n, long total, Mode mode, long seed, MemoryFileIo base, Options options,
      Trial t, SweepSample sample) {
    String ctx = "seed " + seed + ", " + kind + " #" + n + " of " + total + " fails " + mode + "; sample " + sample;
    MemoryFileIo mem = copy(base);
    FaultInjectingFileIo io = new FaultInjectingFileIo(mem, seed + n);
    DatabaseImpl db = TestSeams.open(DIR, options, io);
    io.failAt(kind, n, mode);
    try {
      t.run().accept(db);
    } catch (StorageException | IllegalStateException e) {
      // the failure reached the writer; the step in flight may or may not survive
    }
    int injected = io.firstInjected() != null ? 1 : 0;
    if (injected > 0) {
      t.afterFault().accept(db, ctx);
    }
    TestSeams.halt(db);
    io.crashAndTear(null, true);
    t.check().accept(mem, ctx);
    return injected;
  }

  /** {@code first}, {@code first + every}, ... up to {@code last}. */
  static List<Long> steps(long first, long every, long last) {
    List<Long> out = new ArrayList<>();
    for (long n = first; n <= last; n += every) {
      out.add(n);
    }
    return out;
  }

  /** The simple name of the test class that called into this one, naming its sweeps' samples. */
  private static String caller() {
    return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
        .walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
            .filter(c -> c != CrashSweeps.class).findFirst().map(Class::getSimpleName).orElse("?"));
  }

  /**
   * Opens {@code mem} with {@code options} and checks that tree "t" holds {@code acked}, or {@code
   * inFlight} (the acknowledged state with the step in flight; null: none), that a get of each key
   * agrees with the cursor, and that the files have no damage.
   */
  static void assertRecovered(MemoryFileIo mem, Options options, TreeMap<byte[], byte[]> acked,
      TreeMap<byte[], byte[]> inFlight, Path scratch, String ctx) {
    try (Database db = TestSeams.open(DIR, options, mem)) {
      TreeMap<byte[], byte[]> found = new TreeMap<>(Arrays::compareUnsigned);
      try (Cursor c = db.tree("t").cursor()) {
        for (boolean ok = c.first(); ok; ok = c.next()) {
          found.put(c.key(), c.value());
        }
      }
      if (!same(found, acked) && (inFlight == null || !same(found, inFlight))) {
        fail(ctx + ": recovered " + found.size() + " keys, acknowledged state has " + acked.size()
            + (inFlight != null ? ", with the step in flight " + inFlight.size() : ""));
      }
      for (Map.Entry<byte[], byte[]> e : found.entrySet()) {
        assertArrayEquals(e.getValue(), db.tree("t").get(e.getKey()), ctx + ": get agrees with the cursor");
      }
    }
    assertNoDamage(mem, scratch, ctx);
  }

  private static boolean same(TreeMap<byte[], byte[]> a, TreeMap<byte[], byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (Map.Entry<byte[], byte[]> e : a.entrySet()) {
      if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** Runs the {@link Verifier} over a copy of the in-memory files. */
  static void assertNoDamage(MemoryFileIo mem, Path scratch, String ctx) {
    try {
      Path dir = Files.createTempDirectory(scratch, "copy");
      for (Path p : mem.list(DIR)) {
        if (mem.isPresent(p)) {
          Files.write(dir.resolve(p.getFileName().toString()), mem.contents(p));
        }
      }
      Path wal = DIR.resolve(DatabaseOpener.WAL_DIR);
      Files.createDirectories(dir.resolve(DatabaseOpener.WAL_DIR));
      for (Path p : mem.list(wal)) {
        Files.write(dir.resolve(DatabaseOpener.WAL_DIR).resolve(p.getFileName().toString()), mem.contents(p));
      }
      Verifier.Report report = Verifier.verify(dir, null);
      assertTrue(report.ok(), ctx + ": verifier: " + report.problems());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
