package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.FaultInjectingFileIo;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.util.BigEndian;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reclaim rounds that merge holes ({@code store.HoleMerger}) once writes stop, after random
 * overwrites left the file's free space in holes: the rounds give it back (at 20,000 keys and
 * 64 KiB nodes they also moved a block or two out of the way to merge holes, {@code
 * store.merge_moved_blocks}; this size keeps the sweep short, and {@code HoleMergerTest} makes a
 * file where merging must happen), the file ends with less than a tenth free, and a power cut
 * after any tick of them, or a failed write or fsync anywhere in them and then a power cut with
 * torn writes, loses no acknowledged key and leaves no damage ({@link CrashSweeps}).
 */
@dev.sapwood.testlog.CapturesEngineLog
class HoleMergeCrashTest {
  private static final int KEYS = 6_000;
  private static final long SEED = 20261203L;
  private static final int TICKS = 30;

  private static Options options() {
    return Options.defaults().cacheSize(256 << 10).nodeSize(32 << 10).basementSize(4 << 10).fanout(8)
        .durability(Durability.SYNC).syncInterval(Duration.ofHours(1)).checkpointInterval(Duration.ofDays(1));
  }

  private static byte[] key(int i) {
    byte[] k = new byte[16];
    BigEndian.putLong(k, 0, (i * 2654435761L) % KEYS);
    return k;
  }

  private static byte[] value(int round, int i) {
    byte[] v = new byte[60 + (i * 31 + round * 17) % 90]; // sizes vary, so leaves' extents do
    new Random(round * 1_000_003L + i).nextBytes(v);
    return v;
  }

  private static final CrashSweeps.Base OVERWRITTEN = new CrashSweeps.Base(HoleMergeCrashTest::overwrite);

  /**
   * A database overwritten twice past its cache, with its quiet sweep off, closed cleanly; the same
   * files each time (no background thread writes them), made once: callers copy them, never write.
   */
  private static MemoryFileIo overwritten() {
    return OVERWRITTEN.files();
  }

  private static MemoryFileIo overwrite() {
    MemoryFileIo mem = new MemoryFileIo();
    try (DatabaseImpl db = TestSeams.open(CrashSweeps.DIR, options(), mem)) {
      // The writer flushes for itself: with background flushes the holes left depend on how the
      // threads were scheduled, and on a loaded machine there were sometimes none to merge.
      TestSeams.stopBackground(db);
      db.maintenance().quietSweep(false);
      Tree t = db.tree("t");
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < KEYS; i++) {
          t.put(key(i), value(round, i));
        }
        db.checkpoint();
      }
    }
    return mem;
  }

  /** Ticks of the checkpoint thread {@link IdleReclaim#IDLE_NANOS} apart: the reclaim rounds. */
  private static void idleTicks(DatabaseImpl db, int ticks) {
    // Only these ticks may drive the rounds: the checkpoint thread's own ticks, on the real clock,
    // interleave with them on a loaded machine and can leave no round run.
    TestSeams.stopBackground(db);
    db.maintenance().idleReclaimFrom(64 << 10);
    db.maintenance().quietSweep(false);
    long clock = System.nanoTime();
    for (int tick = 0; tick < ticks; tick++) {
      clock += IdleReclaim.IDLE_NANOS;
      db.checkpointIfSpaceWaits(clock);
    }
  }

  private static void assertValues(MemoryFileIo mem, String ctx) {
    try (DatabaseImpl db = TestSeams.open(CrashSweeps.DIR, options(), mem)) {
      Tree t = db.tree("t");
      for (int i = 0; i < KEYS; i++) {
        assertArrayEquals(value(2, i), t.get(key(i)), ctx + ": key " + i);
      }
    }
  }

  @Test
  void roundsMergeHolesAndTheFileEndsCloseToItsBlocks() {
    MemoryFileIo mem = CrashSweeps.copy(overwritten());
    try (DatabaseImpl db = TestSeams.open(CrashSweeps.DIR, options(), mem)) {
      long before = db.stats().get("store.file_bytes");
      idleTicks(db, TICKS);
      Stats s = db.stats();
      long file = s.get("store.file_bytes");
      long free = s.get("store.free_bytes") + s.get("store.pending_free_bytes");
      System.out.println("hole merge rounds: file " + before + " -> " + file + " bytes, free " + free + ", "
          + s.get("store.merge_moved_blocks") + " blocks moved to merge holes, " + s.get("space.reclaim_rounds")
          + " rounds");
      assertTrue(free * 10 < file, "free " + free + " of a file of " + file);
      assertTrue(file * 2 < before, "the file " + file + " was " + before);
    }
    assertValues(mem, "after the rounds");
  }

  @Test
  void aPowerCutAfterAnyTickOfTheRoundsLosesNothing(@TempDir Path scratch) {
    MemoryFileIo base = overwritten();
    for (int stop = 1; stop <= TICKS; stop += 7) {
      MemoryFileIo mem = CrashSweeps.copy(base);
      DatabaseImpl db = TestSeams.open(CrashSweeps.DIR, options(), mem);
      idleTicks(db, stop);
      TestSeams.halt(db);
      mem.crash();
      String ctx = "power cut after tick " + stop;
      assertValues(mem, ctx);
      CrashSweeps.assertNoDamage(mem, scratch, ctx);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"WRITE, ONCE", "WRITE, FOREVER", "FSYNC, FOREVER"})
  void aFailedWriteOrSyncAndAPowerCutInTheRoundsLoseNothing(Kind kind, Mode mode, @TempDir Path scratch) {
    MemoryFileIo base = overwritten();
    FaultInjectingFileIo probe = new FaultInjectingFileIo(CrashSweeps.copy(base), SEED);
    long before;
    try (DatabaseImpl db = TestSeams.open(CrashSweeps.DIR, options(), probe)) {
      before = probe.count(kind);
      idleTicks(db, TICKS);
      assertTrue(db.stats().get("space.reclaim_rounds") > 0, "no round ran: " + db.stats()); // at this size one round shrinks the file
    }
    long total = probe.count(kind);
    long stride = Math.max(1, (total - before) / 8);
    int injected = 0;
    for (long n = before + 1; n <= total; n += stride) {
      String ctx = kind + " #" + n + " of " + total + " fails " + mode;
      MemoryFileIo mem = CrashSweeps.copy(base);
      FaultInjectingFileIo io = new FaultInjectingFileIo(mem, SEED + n);
      DatabaseImpl db = TestSeams.open(CrashSweeps.DIR, options(), io);
      io.failAt(kind, n, mode);
      try {
        idleTicks(db, TICKS);
      } catch (RuntimeException e) {
        // the failure reached the checkpoint thread's tick; the database is failed or goes on
      }
      if (io.firstInjected() != null) {
        injected++;
      }
      TestSeams.halt(db);
      io.crashAndTear(null, true);
      assertValues(mem, ctx);
      CrashSweeps.assertNoDamage(mem, scratch, ctx);
    }
    assertTrue(injected > 0, kind + " " + mode + ": no fault was injected");
  }
}
