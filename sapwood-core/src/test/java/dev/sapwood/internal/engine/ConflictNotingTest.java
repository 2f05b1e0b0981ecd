package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.ConflictException;
import dev.sapwood.Isolation;
import dev.sapwood.Options;
import dev.sapwood.Transaction;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Changes are noted for validation only while a transaction is live ({@link Conflicts#anyLive()});
 * skipping the others must never hide a conflict from a transaction that begins meanwhile.
 */
class ConflictNotingTest {
  private static final byte[] K = "k".getBytes(StandardCharsets.UTF_8);

  private static DatabaseImpl open() {
    return TestSeams.open(Path.of("/db"), Options.defaults(), new MemoryFileIo());
  }

  @Test
  void writesWithNoTransactionLiveAreNotNotedButWritesAfterABeginAre() {
    DatabaseImpl db = open();
    try {
      Tree t = db.tree("t");
      int id = ((TreeImpl) t).id();
      for (int i = 0; i < 100; i++) {
        t.put(K, UpdateFunctions.fromLong(i));
      }
      assertFalse(db.conflicts().anyLive());
      assertFalse(db.conflicts().writtenAfter(id, K, 0), "no transaction live: nothing noted");
      try (Transaction tx = db.begin()) {
        assertTrue(db.conflicts().anyLive());
        tx.put(t, K, UpdateFunctions.fromLong(-1));
        t.put(K, UpdateFunctions.fromLong(100)); // a plain write after the snapshot: noted
        ConflictException e = assertThrows(ConflictException.class, tx::commit);
        assertEquals(ConflictException.Kind.WRITE_WRITE, e.kind());
      }
      assertFalse(db.conflicts().anyLive(), "a finished transaction is counted out");
      assertArrayEquals(UpdateFunctions.fromLong(100), t.get(K));
    } finally {
      db.close();
    }
  }

  @Test
  void aSerializableReaderStaysProtectedWhenAnotherTransactionEnds() {
    DatabaseImpl db = open();
    try {
      Tree t = db.tree("t");
      t.put(K, UpdateFunctions.fromLong(1));
      try (Transaction ser = db.begin(Isolation.SERIALIZABLE)) {
        ser.get(t, K);
        try (Transaction other = db.begin()) {
          other.rollback(); // the count drops, but not to zero
        }
        t.put(K, UpdateFunctions.fromLong(2));
        ser.put(t, "other".getBytes(StandardCharsets.UTF_8), new byte[] {1});
        ConflictException e = assertThrows(ConflictException.class, ser::commit);
        assertEquals(ConflictException.Kind.READ_WRITE, e.kind());
      }
    } finally {
      db.close();
    }
  }

  /**
   * A writer streams plain puts (unnoted while no transaction is live) to K, with increasing
   * values, and to other keys; a transaction begins in the middle of the stream, the writer stops,
   * and the transaction writes K. It must conflict exactly when K's value changed after its
   * snapshot, whichever side of the begin the writer's last puts fell on.
   */
  @Test
  void aTransactionBegunDuringAStreamOfUnnotedWritesStillSeesItsConflict() throws Exception {
    long seed = System.nanoTime();
    System.out.println("ConflictNotingTest seed " + seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    DatabaseImpl db = open();
    try {
      Tree t = db.tree("t");
      int kSlot = Conflicts.slot(((TreeImpl) t).id(), K);
      t.put(K, UpdateFunctions.fromLong(0));
      long[] next = {1};
      int conflicts = 0;
      int rounds = 300;
      for (int round = 0; round < rounds; round++) {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean started = new AtomicBoolean();
        long otherKeys = rnd.nextLong();
        Thread w = new Thread(() -> {
          long other = otherKeys;
          while (!stop.get()) {
            t.put(K, UpdateFunctions.fromLong(next[0]++));
            byte[] o = UpdateFunctions.fromLong(other++);
            if (Conflicts.slot(((TreeImpl) t).id(), o) != kSlot) { // no spurious conflict
              t.put(o, K);
            }
            started.set(true);
          }
        });
        w.start();
        while (!started.get()) {
          Thread.onSpinWait();
        }
        for (int spin = rnd.nextInt(200); spin > 0; spin--) {
          Thread.onSpinWait();
        }
        Transaction tx = db.begin();
        stop.set(true);
        w.join();
        try {
          byte[] atSnapshot = tx.get(t, K);
          boolean changed = !Arrays.equals(atSnapshot, t.get(K));
          tx.put(t, K, UpdateFunctions.fromLong(-1));
          if (changed) {
            conflicts++;
            assertThrows(ConflictException.class, tx::commit,
                "round " + round + " seed " + seed + ": K changed after the snapshot");
          } else {
            tx.commit();
          }
        } finally {
          tx.close();
        }
        assertFalse(db.conflicts().anyLive());
      }
      System.out.println("ConflictNotingTest: " + conflicts + " of " + rounds + " rounds conflicted");
    } finally {
      db.close();
    }
  }
}
