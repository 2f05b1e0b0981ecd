package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.engine.CrashSweeps.Trial;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.util.BigEndian;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * What the tests of the quiet sweep ({@link QuietSweepTest}, {@link QuietDrainTest}) share: their
 * keys in a scattered order, each round's values, a round of puts, the checkpoint thread's ticks
 * on a clock that says writes stopped, and the fault and power-cut sweep over the rounds.
 */
final class QuietSpells {
  private QuietSpells() {}

  /** Key {@code i} of {@code keys}: 16 bytes, numbers scattered over [0, keys). */
  static byte[] key(int i, int keys) {
    byte[] k = new byte[16];
    BigEndian.putLong(k, 0, (i * 2654435761L) % keys);
    return k;
  }

  /** The 100-byte value of key {@code i} in round {@code round}. */
  static byte[] value(int round, int i) {
    byte[] v = new byte[100];
    new Random(round * 1_000_003L + i).nextBytes(v);
    return v;
  }

  /** Puts every key once in round {@code round}'s values (in a scattered order) into tree "t", then checkpoints. */
  static void putAll(DatabaseImpl db, int round, int keys) {
    Tree t = db.tree("t");
    for (int i = 0; i < keys; i++) {
      t.put(key(i, keys), value(round, i));
    }
    db.checkpoint();
  }

  /** Ticks of the checkpoint thread, each {@link IdleReclaim#IDLE_NANOS} after the one before. */
  static void idleTicks(DatabaseImpl db, int ticks) {
    long clock = System.nanoTime();
    for (int tick = 0; tick < ticks; tick++) {
      clock += IdleReclaim.IDLE_NANOS;
      db.checkpointIfSpaceWaits(clock);
    }
  }

  // ---- crashes and faults in the sweep's rounds ----

  /** Keys of the small database the fault sweeps run on. */
  static final int SMALL_KEYS = 3000;

  /** The small database's options, with the quiet drain on or off. */
  static Options smallOptions(boolean drain) {
    return Options.defaults().cacheSize(64 << 10).nodeSize(4 << 10).basementSize(1 << 10).fanout(4)
        .durability(Durability.SYNC).syncInterval(Duration.ofHours(1)).checkpointInterval(Duration.ofDays(1))
        .drainWhenQuiet(drain);
  }

  /**
   * A small database whose buffers and leaf deltas hold a fill (round 0) and an overwrite of it
   * (round 1), closed cleanly with the sweep off; the overwrite leaves free space, so that reclaim
   * rounds, and the sweep before them, are due once the test's clock says writes stopped. Made
   * once; callers copy it and never write it.
   */
  private static final CrashSweeps.Base OVERWRITTEN = new CrashSweeps.Base(() -> {
    MemoryFileIo mem = new MemoryFileIo();
    try (DatabaseImpl db = TestSeams.open(CrashSweeps.DIR, smallOptions(false), mem)) {
      db.maintenance().quietSweep(false);
      putAll(db, 0, SMALL_KEYS);
      putAll(db, 1, SMALL_KEYS);
    }
    return mem;
  });

  /** The rounds of a quiet spell on the small database: sweep first, then rounds for space. */
  static void sweepRounds(DatabaseImpl db) {
    db.maintenance().idleReclaimFrom(16 << 10);
    idleTicks(db, 30);
  }

  /**
   * On copies of the overwritten small database opened with {@code options}: the quiet spell's
   * rounds move {@code counter} past 5 and run a round; then a failed write or fsync ({@code
   * kind}, {@code mode}) and a power cut at points spread over those rounds lose no value of round
   * 1 and leave no damage ({@link CrashSweeps#faultSweep}).
   */
  static void faultsOverTheRoundsLoseNothing(Kind kind, Mode mode, long seed, Options options, String counter, Path scratch) {
    MemoryFileIo base = OVERWRITTEN.files();
    try (DatabaseImpl db = TestSeams.open(CrashSweeps.DIR, options, CrashSweeps.copy(base))) {
      sweepRounds(db); // the rounds the sweep below fails at points over
      Stats s = db.stats();
      assertTrue(s.get(counter) > 5, "the sweep did little (" + counter + "): " + s);
      assertTrue(s.get("space.reclaim_rounds") > 0, "no round ran: " + s);
    }
    CrashSweeps.faultSweep(kind, mode, seed, base, options, 25, false,
        () -> new Trial(QuietSpells::sweepRounds, (mem, ctx) -> {
          try (DatabaseImpl reopened = TestSeams.open(CrashSweeps.DIR, options, mem)) {
            Tree t = reopened.tree("t");
            for (int i = 0; i < SMALL_KEYS; i++) {
              assertArrayEquals(value(1, i), t.get(key(i, SMALL_KEYS)), ctx + ": key " + i);
            }
          }
          CrashSweeps.assertNoDamage(mem, scratch, ctx);
        }));
  }
}
