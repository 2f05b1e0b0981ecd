package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.StorageException;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.FaultInjectingFileIo;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.tools.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
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
 */
@dev.sapwood.testlog.CapturesEngineLog
class LeafDeltaCrashTest {
  private static final long SEED = 20261202L;
  private static final Path DIR = Path.of("/db");
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

  /** What the workload has done: the state all acknowledged steps made, and the one in flight. */
  private static final class Model {
    final TreeMap<byte[], byte[]> acked = new TreeMap<>(Arrays::compareUnsigned);
    TreeMap<byte[], byte[]> inFlight;
  }

  /** Runs the workload until it ends or the database fails; returns whether it ended. */
  private static boolean run(Database db, Model m, int stopAfter) {
    Random r = new Random(SEED);
    Tree t = db.tree("t");
    for (int step = 0; step < Math.min(STEPS, stopAfter); step++) {
      int op = r.nextInt(100);
      int k = r.nextInt(KEYS);
      TreeMap<byte[], byte[]> next = new TreeMap<>(m.acked);
      m.inFlight = next;
      if (op < 70) {
        byte[] v = new byte[20 + r.nextInt(50)];
        r.nextBytes(v);
        next.put(key(k), v);
        t.put(key(k), v);
      } else if (op < 95) {
        next.remove(key(k));
        t.delete(key(k));
      } else if (op < 97) {
        int hi = Math.min(KEYS, k + 1 + r.nextInt(15));
        next.subMap(key(k), true, key(hi), false).clear();
        t.deleteRange(key(k), key(hi));
      } else if (op == 97 || op == 98) {
        db.checkpoint();
      }
      m.acked.clear();
      m.acked.putAll(next);
      m.inFlight = null;
    }
    return stopAfter >= STEPS;
  }

  private static void check(MemoryFileIo mem, Model m, Path scratch, String ctx) {
    try (Database db = TestSeams.open(DIR, options(), mem)) {
      TreeMap<byte[], byte[]> found = new TreeMap<>(Arrays::compareUnsigned);
      try (Cursor c = db.tree("t").cursor()) {
        for (boolean ok = c.first(); ok; ok = c.next()) {
          found.put(c.key(), c.value());
        }
      }
      if (!same(found, m.acked) && (m.inFlight == null || !same(found, m.inFlight))) {
        fail(ctx + ": recovered " + found.size() + " keys, acknowledged state has " + m.acked.size()
            + (m.inFlight != null ? ", with the step in flight " + m.inFlight.size() : ""));
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

  private static MemoryFileIo created() {
    MemoryFileIo mem = new MemoryFileIo();
    try (Database db = TestSeams.open(DIR, options(), mem)) {
      db.tree("t");
      db.checkpoint();
    }
    return mem;
  }

  static MemoryFileIo copy(MemoryFileIo src) {
    MemoryFileIo dst = new MemoryFileIo();
    List<Path> files = new ArrayList<>(src.list(DIR));
    files.addAll(src.list(DIR.resolve(DatabaseOpener.WAL_DIR)));
    for (Path p : files) {
      dst.setContents(p, src.contents(p));
    }
    return dst;
  }

  @ParameterizedTest(name = "ratio {0}")
  @CsvSource({"1", "8"})
  void aPowerCutAfterAnyStepKeepsEveryAcknowledgedWrite(double ratio, @TempDir Path scratch) {
    MemoryFileIo base = created();
    Stats whole;
    MemoryFileIo probe = copy(base);
    try (Database db = TestSeams.open(DIR, options(ratio), probe)) {
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
    for (int stop = 37; stop <= STEPS; stop += 131) {
      MemoryFileIo mem = copy(base);
      Model m = new Model();
      DatabaseImpl db = TestSeams.open(DIR, options(ratio), mem);
      run(db, m, stop);
      TestSeams.halt(db);
      mem.crash();
      check(mem, m, scratch, "seed " + SEED + ", power cut after step " + stop);
    }
  }

  @ParameterizedTest(name = "{0} {1} ratio {2}")
  @CsvSource({"WRITE, ONCE, 1", "WRITE, FOREVER, 1", "FSYNC, FOREVER, 1", "WRITE, ONCE, 8", "FSYNC, FOREVER, 8"})
  void aFailedWriteOrSyncWhileDeltasAreWrittenLosesNoAcknowledgedWrite(Kind kind, Mode mode, double ratio,
      @TempDir Path scratch) {
    MemoryFileIo base = created();
    FaultInjectingFileIo probe = new FaultInjectingFileIo(copy(base), SEED);
    long before;
    try (Database db = TestSeams.open(DIR, options(ratio), probe)) {
      before = probe.count(kind);
      run(db, new Model(), Integer.MAX_VALUE);
    }
    long total = probe.count(kind);
    long stride = Math.max(1, (total - before) / 30);
    int injected = 0;
    for (long n = before + 1; n <= total; n += stride) {
      String ctx = "seed " + SEED + ", " + kind + " #" + n + " of " + total + " fails " + mode;
      MemoryFileIo mem = copy(base);
      FaultInjectingFileIo io = new FaultInjectingFileIo(mem, SEED + n);
      DatabaseImpl db = TestSeams.open(DIR, options(ratio), io);
      io.failAt(kind, n, mode);
      Model m = new Model();
      try {
        run(db, m, Integer.MAX_VALUE);
      } catch (StorageException | IllegalStateException e) {
        // the failure reached the writer; the step in flight may or may not survive
      }
      if (io.firstInjected() != null) {
        injected++;
      }
      TestSeams.halt(db);
      io.crashAndTear(null, true);
      check(mem, m, scratch, ctx);
    }
    assertTrue(injected > 0, kind + " " + mode + ": no fault was injected");
  }
}
