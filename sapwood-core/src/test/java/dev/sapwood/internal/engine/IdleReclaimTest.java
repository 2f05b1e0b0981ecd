package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.util.BigEndian;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Free space given back once writes stop: when a round is due (a pure rule), and that rounds shrink
 * a file left full of holes by overwrites past the cache, keep every entry, and wait while writes
 * go on.
 */
class IdleReclaimTest {
  private static final long MIB = 1 << 20;
  private static final long SECOND = 1_000_000_000L;
  private static final int KEYS = 20_000;

  @Test
  void dueOnlyOnceWritesHaveStoppedForTheIdleTimeAndAThirtySecondIsFree() {
    IdleReclaim r = new IdleReclaim(4 * MIB);
    assertFalse(r.due(7, 100 * MIB, 40 * MIB, 100 * MIB, 0, 0), "a new mark: writes just happened");
    assertTrue(r.pending(), "work is left, waiting for quiet");
    assertFalse(r.due(7, 100 * MIB, 40 * MIB, 100 * MIB, 0, SECOND));
    assertTrue(r.due(7, 100 * MIB, 40 * MIB, 100 * MIB, 0, 2 * SECOND));
    assertFalse(r.due(8, 100 * MIB, 40 * MIB, 100 * MIB, 0, 3 * SECOND), "a write came in");
    assertTrue(r.due(8, 100 * MIB, 20 * MIB, 100 * MIB, 0, 9 * SECOND), "a fifth free: the first version stopped here");
    assertFalse(r.due(8, 100 * MIB, 3 * MIB, 100 * MIB, 0, 10 * SECOND), "less than a thirty-second free");
    assertFalse(r.pending());
    assertFalse(r.due(8, 3 * MIB, 3 * MIB, 3 * MIB, 0, 9 * SECOND), "a small file");
  }

  @Test
  void stopsAfterThreeRoundsThatLeaveTheFileNoSmallerUntilTheNextWrite() {
    IdleReclaim r = new IdleReclaim(4 * MIB);
    r.due(1, 100 * MIB, 40 * MIB, 100 * MIB, 0, 0);
    assertTrue(r.due(1, 100 * MIB, 40 * MIB, 100 * MIB, 0, 5 * SECOND));
    r.roundDone(90 * MIB);
    assertTrue(r.due(1, 90 * MIB, 30 * MIB, 90 * MIB, 0, 6 * SECOND), "it shrank: go on");
    r.roundDone(90 * MIB);
    assertTrue(r.due(1, 90 * MIB, 30 * MIB, 90 * MIB, 0, 7 * SECOND), "one stale round");
    r.roundDone(91 * MIB);
    assertTrue(r.due(1, 91 * MIB, 30 * MIB, 91 * MIB, 0, 7 * SECOND), "two stale rounds");
    r.roundDone(91 * MIB);
    assertFalse(r.pending());
    assertFalse(r.due(1, 91 * MIB, 30 * MIB, 91 * MIB, 0, 8 * SECOND), "three stale rounds: stop");
    assertFalse(r.due(2, 91 * MIB, 30 * MIB, 91 * MIB, 0, 9 * SECOND));
    assertFalse(r.due(2, 91 * MIB, 30 * MIB, 91 * MIB, 0, 11 * SECOND), "a write freed nothing more");
    assertTrue(r.due(3, 91 * MIB, 34 * MIB, 91 * MIB, 0, 12 * SECOND) || r.pending(), "a write freed 4 MiB more");
    assertTrue(r.due(3, 91 * MIB, 34 * MIB, 91 * MIB, 0, 14 * SECOND), "a write reset the rounds");
  }

  @Test
  void dueForAFullEnoughLogSegmentAloneOnceWritesStop() {
    IdleReclaim r = new IdleReclaim(4 * MIB);
    assertFalse(r.due(1, MIB, 0, MIB, IdleReclaim.LOG_BYTES, 0));
    assertTrue(r.pending(), "the log waits for quiet");
    assertTrue(r.due(1, MIB, 0, MIB, IdleReclaim.LOG_BYTES, 2 * SECOND), "a small file, but a log segment to delete");
    r.roundDone(MIB);
    assertFalse(r.due(1, MIB, 0, MIB, 20, 3 * SECOND), "the round started a new segment");
  }

  @Test
  void freeSpaceLeftStuckDoesNotCallForRoundsAfterEveryWrite() {
    IdleReclaim r = new IdleReclaim(4 * MIB);
    r.due(1, 100 * MIB, 10 * MIB, 100 * MIB, 0, 0);
    for (int round = 0; round <= IdleReclaim.STALE_ROUNDS; round++) { // the first sets the smallest, the rest leave it
      assertTrue(r.due(1, 100 * MIB, 10 * MIB, 100 * MIB, 0, (5 + round) * SECOND));
      r.roundDone(100 * MIB); // moved, but into holes below what it freed
    }
    assertFalse(r.pending(), "rounds that gave nothing back");
    assertFalse(r.due(2, 100 * MIB, 10 * MIB, 100 * MIB, 0, 10 * SECOND));
    assertFalse(r.due(2, 100 * MIB, 10 * MIB, 100 * MIB, 0, 20 * SECOND), "a write came, the same holes are left");
    assertFalse(r.pending());
    assertFalse(r.due(3, 100 * MIB, 14 * MIB, 100 * MIB, 0, 30 * SECOND), "a write just came");
    assertTrue(r.pending(), "as much again freed: work is left");
  }

  private static Options options() {
    return Options.defaults().cacheSize(1 << 20).nodeSize(16 << 10).basementSize(4 << 10)
        .durability(Durability.NONE).checkpointInterval(Duration.ofDays(1));
  }

  private static byte[] key(int i) {
    byte[] k = new byte[16];
    BigEndian.putLong(k, 0, (i * 2654435761L) % KEYS);
    return k;
  }

  private static byte[] value(int round, int i) {
    byte[] v = new byte[100];
    new Random(round * 1_000_003L + i).nextBytes(v);
    return v;
  }

  /** Overwrites every key {@code rounds} times past a 1 MiB cache, checkpointing after each round. */
  private static void overwrite(DatabaseImpl db, int rounds) {
    Tree t = db.tree("t");
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < KEYS; i++) {
        t.put(key(i), value(round, i));
      }
      db.checkpoint();
    }
  }

  /** A database whose file is left full of holes, as a large one would be. */
  private static DatabaseImpl leftWithHoles(String dir) {
    return leftWithHoles(dir, new MemoryFileIo());
  }

  private static DatabaseImpl leftWithHoles(String dir, MemoryFileIo io) {
    return leftWithHoles(dir, io, options());
  }

  private static DatabaseImpl leftWithHoles(String dir, MemoryFileIo io, Options options) {
    return leftWithHoles(dir, io, options, false);
  }

  /**
   * {@link #leftWithHoles(String)}; with {@code noRoundsYet}, the background's ticks run no round
   * for space until the test sets a file size again ({@link Maintenance#idleReclaimFrom}): a round
   * comes once no write has been sequenced for {@link IdleReclaim#IDLE_NANOS} of real time, and on a
   * slow machine the setup after the last write takes longer than that.
   */
  private static DatabaseImpl leftWithHoles(String dir, MemoryFileIo io, Options options, boolean noRoundsYet) {
    DatabaseImpl db = TestSeams.open(Path.of(dir), options, io);
    if (noRoundsYet) {
      db.maintenance().idleReclaimFrom(Long.MAX_VALUE);
    }
    db.maintenance().spaceCheckpoints().disable();
    db.maintenance().relocatePerCheckpoint(0); // as in a large file, where a checkpoint's 16 MiB is a drop
    overwrite(db, 5);
    db.checkpoint();
    db.checkpoint(); // everything superseded is released: the holes are free space now
    return db;
  }

  @Test
  void onceWritesStopRoundsShrinkTheFileAndKeepEveryEntry() {
    try (DatabaseImpl db = leftWithHoles("/r")) {
      long before = db.stats().get("store.file_bytes");
      long freeBefore = db.stats().get("store.free_bytes");
      assertTrue(freeBefore * 4 >= before, "the overwrites left too little free space to test: " + freeBefore + " of " + before);
      long clock = System.nanoTime();
      for (int tick = 0; tick < 40; tick++) {
        clock += IdleReclaim.IDLE_NANOS;
        db.checkpointIfSpaceWaits(clock);
      }
      long after = db.stats().get("store.file_bytes");
      long rounds = db.stats().get("space.reclaim_rounds");
      System.out.println("idle reclaim: file " + before + " -> " + after + " bytes (" + freeBefore + " free before), "
          + rounds + " rounds, " + db.stats().get("space.reclaim_moved_bytes") + " bytes moved");
      assertTrue(rounds > 0, "no round ran");
      assertTrue(after < before * 3 / 4, "file " + before + " -> " + after);
      assertEquals(0, db.stats().get("space.reclaim_pending"), "rounds stopped, so nothing is pending");
      Tree t = db.tree("t");
      for (int i = 0; i < KEYS; i++) {
        assertArrayEquals(value(4, i), t.get(key(i)), "key " + i);
      }
    }
  }

  /** Ticks of the checkpoint thread, each {@link IdleReclaim#IDLE_NANOS} after the one before. */
  private static void idleTicks(DatabaseImpl db, int ticks) {
    long clock = System.nanoTime();
    for (int tick = 0; tick < ticks; tick++) {
      clock += IdleReclaim.IDLE_NANOS;
      db.checkpointIfSpaceWaits(clock);
    }
  }

  @Test
  void roundsShrinkAFragmentedFileToNearItsTreeAndKeepEveryEntry() {
    // The fragmented file is made here, by the writes and the checkpoints' small moves, with no
    // round for space before the ticks below: with the cleaner gated on writes, on a loaded
    // machine, the background's real-time ticks ran a round in the middle of this setup, which left
    // nothing to reclaim ("free 24576 of 4718592").
    try (DatabaseImpl db = leftWithHoles("/n", new MemoryFileIo(), options(), true)) {
      // Checkpoints' own small moves until less than a quarter is free: where the first version stopped.
      db.maintenance().relocatePerCheckpoint(64 << 10);
      for (int i = 0; i < 200 && free(db) * 4 >= db.stats().get("store.file_bytes"); i++) {
        db.checkpoint();
      }
      db.maintenance().relocatePerCheckpoint(0);
      assertEquals(0, db.stats().get("space.reclaim_rounds"), "a round ran before the idle ticks");
      db.maintenance().idleReclaimFrom(1 << 20); // this tree is smaller than the 4 MiB a file needs by default
      long before = db.stats().get("store.file_bytes");
      // Usually under a quarter now; checkpoints' small moves sometimes stall just above it (what
      // is free fits none of the blocks at the end), which tests the rounds as well.
      assertTrue(free(db) * 8 > before, "free " + free(db) + " of " + before + ": less than an eighth left to reclaim");
      idleTicks(db, 60);
      long file = db.stats().get("store.file_bytes");
      long free = db.stats().get("store.free_bytes");
      long waiting = db.stats().get("store.pending_free_bytes");
      long tree = file - free - waiting;
      System.out.println("idle reclaim to the end: file " + before + " -> " + file + " bytes, " + free + " free, "
          + waiting + " waiting, " + db.stats().get("space.reclaim_rounds") + " rounds");
      // The first version stopped once less than a quarter was free, and its rounds' checkpoints
      // moved blocks whose old places waited for the next round: 30% over the tree was left.
      assertTrue((free + waiting) * 10 <= file, "file " + file + " bytes, " + free + " free, " + waiting + " waiting");
      assertTrue(file <= tree * 11 / 10, "file " + file + " for " + tree + " bytes of blocks");
      assertEquals(0, db.stats().get("space.reclaim_pending"));
      Tree t = db.tree("t");
      for (int i = 0; i < KEYS; i++) {
        assertArrayEquals(value(4, i), t.get(key(i)), "key " + i);
      }
    }
  }

  @Test
  void roundsDeleteTheLogSegmentWrittenBeforeThem() throws java.io.IOException {
    MemoryFileIo io = new MemoryFileIo();
    try (DatabaseImpl db = leftWithHoles("/l", io, options().durability(Durability.ASYNC))) {
      Path wal = Path.of("/l").resolve("wal");
      long logBefore = walBytes(io, wal);
      assertTrue(logBefore >= IdleReclaim.LOG_BYTES, "the overwrites wrote too little log: " + logBefore);
      idleTicks(db, 60);
      long logAfter = walBytes(io, wal);
      System.out.println("log: " + logBefore + " -> " + logAfter + " bytes");
      assertTrue(logAfter < 1024, "the log kept " + logAfter + " bytes after the rounds");
      Tree t = db.tree("t");
      t.put(key(1), value(7, 1)); // the new segment takes writes
      assertArrayEquals(value(7, 1), t.get(key(1)));
    }
  }

  @Test
  void writesAfterARoundsNewLogSegmentSurviveACrash() {
    MemoryFileIo io = new MemoryFileIo();
    Options o = options().durability(Durability.ASYNC);
    DatabaseImpl db = leftWithHoles("/c", io, o);
    idleTicks(db, 20); // rounds: a new segment, the old one deleted
    assertTrue(db.stats().get("space.reclaim_rounds") > 0, "no round ran");
    Tree t = db.tree("t");
    for (int i = 0; i < 100; i++) {
      t.put(key(i), value(8, i)); // only in the new segment's records: no checkpoint after them
    }
    db.sync();
    TestSeams.halt(db);
    io.crash();
    try (DatabaseImpl reopened = TestSeams.open(Path.of("/c"), o, io)) {
      Tree r = reopened.tree("t");
      for (int i = 0; i < KEYS; i++) {
        assertArrayEquals(value(i < 100 ? 8 : 4, i), r.get(key(i)), "key " + i);
      }
    }
  }

  private static long free(DatabaseImpl db) {
    return db.stats().get("store.free_bytes") + db.stats().get("store.pending_free_bytes");
  }

  private static long walBytes(MemoryFileIo io, Path wal) throws java.io.IOException {
    long bytes = 0;
    for (Path p : io.list(wal)) {
      bytes += io.written(p).length;
    }
    return bytes;
  }

  @Test
  void noRoundWhileWritesGoOn() {
    try (DatabaseImpl db = leftWithHoles("/w")) {
      Tree t = db.tree("t");
      long clock = System.nanoTime();
      for (int tick = 0; tick < 20; tick++) {
        t.put(key(tick), value(9, tick));
        clock += IdleReclaim.IDLE_NANOS;
        db.checkpointIfSpaceWaits(clock);
      }
      assertEquals(0, db.stats().get("space.reclaim_rounds"));
      assertEquals(1, db.stats().get("space.reclaim_pending"), "work is left for when writes stop");
    }
  }
}
