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
  void dueOnlyOnceWritesHaveStoppedForTheIdleTimeAndAQuarterIsFree() {
    IdleReclaim r = new IdleReclaim(4 * MIB);
    assertFalse(r.due(7, 100 * MIB, 40 * MIB, 100 * MIB, 0), "a new mark: writes just happened");
    assertTrue(r.pending(), "work is left, waiting for quiet");
    assertFalse(r.due(7, 100 * MIB, 40 * MIB, 100 * MIB, SECOND));
    assertTrue(r.due(7, 100 * MIB, 40 * MIB, 100 * MIB, 2 * SECOND));
    assertFalse(r.due(8, 100 * MIB, 40 * MIB, 100 * MIB, 3 * SECOND), "a write came in");
    assertFalse(r.due(8, 100 * MIB, 20 * MIB, 100 * MIB, 9 * SECOND), "less than a quarter free");
    assertFalse(r.pending());
    assertFalse(r.due(8, 3 * MIB, 3 * MIB, 3 * MIB, 9 * SECOND), "a small file");
  }

  @Test
  void stopsAfterTwoRoundsThatLeaveTheFileNoSmallerUntilTheNextWrite() {
    IdleReclaim r = new IdleReclaim(4 * MIB);
    r.due(1, 100 * MIB, 40 * MIB, 100 * MIB, 0);
    assertTrue(r.due(1, 100 * MIB, 40 * MIB, 100 * MIB, 5 * SECOND));
    r.roundDone(90 * MIB);
    assertTrue(r.due(1, 90 * MIB, 30 * MIB, 90 * MIB, 6 * SECOND), "it shrank: go on");
    r.roundDone(90 * MIB);
    assertTrue(r.due(1, 90 * MIB, 30 * MIB, 90 * MIB, 7 * SECOND), "one stale round");
    r.roundDone(91 * MIB);
    assertFalse(r.pending());
    assertFalse(r.due(1, 91 * MIB, 30 * MIB, 91 * MIB, 8 * SECOND), "two stale rounds: stop");
    assertFalse(r.due(2, 91 * MIB, 30 * MIB, 91 * MIB, 9 * SECOND));
    assertTrue(r.due(2, 91 * MIB, 30 * MIB, 91 * MIB, 11 * SECOND), "a write reset it");
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
    DatabaseImpl db = TestSeams.open(Path.of(dir), options(), new MemoryFileIo());
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
