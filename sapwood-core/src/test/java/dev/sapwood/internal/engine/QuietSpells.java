package dev.sapwood.internal.engine;

import dev.sapwood.Tree;
import dev.sapwood.internal.util.BigEndian;
import java.util.Random;

/**
 * What the tests of the quiet sweep ({@link QuietSweepTest}, {@link QuietDrainTest}) share: their
 * keys in a scattered order, each round's values, a round of puts, and the checkpoint thread's
 * ticks on a clock that says writes stopped.
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
}
