package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sapwood.BulkLoader;
import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.StorageException;
import dev.sapwood.Tree;
import dev.sapwood.internal.engine.CrashSweeps.Trial;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.tools.Verifier;
import dev.sapwood.internal.util.BigEndian;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bulk load is all or nothing across crashes and failed I/O: the power goes (or the Nth write or
 * fsync fails, then the power goes) at every point of a load — while leaves are written, with a
 * checkpoint taken in the middle of the load, during the install's checkpoint, after it — and a
 * clean open finds the tree empty or holding the whole load, never part of it, the other tree's
 * acknowledged writes intact, and no block leaked (the {@link Verifier}'s block accounting).
 */
@dev.sapwood.testlog.CapturesEngineLog
class BulkLoadCrashTest {
  private static final long SEED = 20261201L;
  private static final Path DIR = Path.of("/db");
  private static final int ENTRIES = 1500;

  private static Options options() {
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(256 << 10)
        .durability(Durability.SYNC).syncInterval(Duration.ofHours(1)).checkpointInterval(Duration.ofDays(1));
  }

  private static byte[] key(int i) {
    byte[] k = new byte[12];
    BigEndian.putInt(k, 0, 0x5a5a5a5a);
    BigEndian.putLong(k, 4, i);
    return k;
  }

  private static byte[] value(int i) {
    byte[] v = new byte[40 + i % 60];
    Arrays.fill(v, (byte) i);
    return v;
  }

  /** A database with tree "other" holding one acknowledged SYNC write, and tree "t" empty. */
  private static MemoryFileIo created() {
    MemoryFileIo mem = new MemoryFileIo();
    try (Database db = TestSeams.open(DIR, options(), mem)) {
      db.tree("t");
      db.tree("other").put(key(1), value(1));
      db.checkpoint();
    }
    return mem;
  }

  /**
   * The load: {@code ENTRIES} entries with a checkpoint after a third of them (it must not take
   * the load's blocks) and an acknowledged write to "other" after two thirds; then finish.
   * Returns whether finish returned.
   */
  private static boolean load(Database db) {
    try (BulkLoader l = db.tree("t").bulkLoader()) {
      for (int i = 0; i < ENTRIES; i++) {
        l.add(key(i), value(i));
        if (i == ENTRIES / 3) {
          db.checkpoint();
        }
        if (i == 2 * ENTRIES / 3) {
          db.tree("other").put(key(2), value(2));
        }
      }
      l.finish();
      return true;
    }
  }

  /** After a crash: "t" is empty or whole, "other" holds its first write, nothing leaked. */
  private static void check(MemoryFileIo mem, boolean finished, Path scratch, String ctx) {
    try (Database db = TestSeams.open(DIR, options(), mem)) {
      Tree t = db.tree("t");
      long n = 0;
      try (Cursor c = t.cursor()) {
        for (boolean ok = c.first(); ok; ok = c.next()) {
          assertArrayEquals(key((int) n), c.key(), ctx + ": key " + n);
          assertArrayEquals(value((int) n), c.value(), ctx + ": value " + n);
          n++;
        }
      }
      if (n != 0 && n != ENTRIES) {
        fail(ctx + ": a partial load survived: " + n + " of " + ENTRIES + " entries");
      }
      if (finished) {
        assertEquals(ENTRIES, n, ctx + ": finish returned, yet the load is gone");
      }
      assertEquals(n, t.approximateSize(), ctx + ": row count");
      assertArrayEquals(value(1), db.tree("other").get(key(1)), ctx + ": the other tree's write");
    }
    CrashSweeps.assertNoDamage(mem, scratch, ctx);
  }

  @Test
  void aCrashAfterAnyNumberOfEntriesLeavesTheTreeEmptyAndAfterFinishWhole(@TempDir Path scratch) {
    MemoryFileIo base = created();
    for (int stopAt : new int[] {0, 1, 200, ENTRIES / 3 + 1, ENTRIES - 1, ENTRIES, -1}) {
      String ctx = "crash after " + (stopAt < 0 ? "finish" : stopAt + " entries");
      MemoryFileIo mem = CrashSweeps.copy(base);
      DatabaseImpl db = TestSeams.open(DIR, options(), mem);
      BulkLoader l = db.tree("t").bulkLoader();
      for (int i = 0; i < (stopAt < 0 ? ENTRIES : stopAt); i++) {
        l.add(key(i), value(i));
        if (i == ENTRIES / 3) {
          db.checkpoint();
        }
      }
      if (stopAt < 0) {
        assertEquals(ENTRIES, l.finish());
      }
      TestSeams.halt(db);
      mem.crash();
      check(mem, stopAt < 0, scratch, ctx);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"WRITE, ONCE", "WRITE, FOREVER", "FSYNC, ONCE", "FSYNC, FOREVER"})
  void aFailedWriteOrSyncDuringALoadIsReportedAndLeavesTheTreeEmptyOrWhole(Kind kind, Mode mode,
      @TempDir Path scratch) {
    CrashSweeps.faultSweep(kind, mode, SEED, created(), options(), 25, false, () -> loadTrial(scratch));
  }

  /**
   * A {@link #load} as a sweep's trial: a returned finish leaves the whole load in the tree; after
   * an injected fault the loader heard of it (unless finish returned first) and the database
   * refuses writes (sticky); after the crash the tree is empty or whole, and whole if finish
   * returned with no fault injected.
   */
  private static Trial loadTrial(Path scratch) {
    boolean[] finished = {false};
    boolean[] faulted = {false};
    RuntimeException[] thrown = {null};
    return new Trial(db -> {
      try {
        finished[0] = load(db);
      } catch (StorageException | IllegalStateException e) {
        thrown[0] = e; // IllegalStateException: the database failed, and later calls say it refuses writes
        throw e;
      }
      assertEquals(ENTRIES, db.tree("t").approximateSize(), "rows after finish");
    }, (mem, ctx) -> check(mem, finished[0] && !faulted[0], scratch, ctx), (db, ctx) -> {
      faulted[0] = true;
      if (!finished[0]) {
        assertNotNull(thrown[0], ctx + ": the failure did not reach the loader");
      }
      assertThrows(RuntimeException.class, () -> {
        db.tree("other").put(key(3), value(3));
        db.sync();
        db.checkpoint();
      }, ctx + ": a write after the failure was taken");
    });
  }

  @Test
  void aLoadIntoADroppedTreeIsRefusedAndFreesItsBlocks(@TempDir Path scratch) {
    MemoryFileIo mem = created();
    try (Database db = TestSeams.open(DIR, options(), mem)) {
      BulkLoader l = db.tree("t").bulkLoader();
      for (int i = 0; i < ENTRIES; i++) {
        l.add(key(i), value(i));
      }
      db.dropTree("t");
      assertThrows(IllegalStateException.class, l::finish);
      assertFalse(db.findTree("t").isPresent());
      l.close();
      db.checkpoint();
    }
    CrashSweeps.assertNoDamage(mem, scratch, "dropped during the load");
  }
}
