package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.ConflictException;
import dev.sapwood.Cursor;
import dev.sapwood.Isolation;
import dev.sapwood.Options;
import dev.sapwood.Snapshot;
import dev.sapwood.Transaction;
import dev.sapwood.Tree;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Taking a snapshot, or beginning a transaction, never waits for writers — not even for a batch
 * too large for its roots' buffers, which goes in under the database's exclusive lock and is
 * flushed between its messages. The batch is held mid-way ({@link TestSeams#onExclusiveBatchStep})
 * after flushes have applied part of it to leaves; a snapshot and a transaction begun then (on
 * this thread: if they waited for the batch, the test would hang until its timeout) see none of
 * it once it is done, and a later snapshot sees all of it.
 */
class SnapshotDuringLargeBatchTest {
  private static final int KEYS = 1500;

  private static byte[] key(int i) {
    return String.format("key%05d", i).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] value(String what, int i) {
    return String.format("%s-%05d-padding-padding-padding", what, i).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang guard: before the fix, snapshot() waited for the held batch forever
  void aSnapshotTakenWhileALargeBatchGoesInReturnsAtOnceAndSeesNoneOfIt() throws Exception {
    MemoryFileIo io = new MemoryFileIo();
    Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4).cacheSize(4 << 20);
    try (DatabaseImpl db = TestSeams.open(Path.of("/big-batch"), options, io)) {
      Tree t = db.tree("t");
      for (int i = 0; i < KEYS; i++) {
        t.put(key(i), value("old", i));
      }
      t.optimize(); // every old value in a leaf: the batch's flushes overwrite them there
      WriteBatch batch = new WriteBatch();
      for (int i = 0; i < KEYS; i++) {
        batch.put(t, key(i), value("new", i));
      }
      batch.put(t, key(KEYS), value("new", KEYS));
      assertTrue(batch.byteSize() > (16 << 10), "a batch larger than a node: the exclusive path");

      CountDownLatch reached = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger steps = new AtomicInteger();
      TestSeams.onExclusiveBatchStep(db, () -> {
        if (steps.incrementAndGet() == KEYS * 3 / 4) {
          reached.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      long recordedBefore = db.stats().get("versions.recorded");
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        try {
          db.write(batch);
        } catch (Throwable e) {
          failed.set(e);
        }
      }, "large-batch");
      writer.start();
      reached.await();

      Snapshot during = db.snapshot(); // must not wait for the batch
      Transaction tx = db.begin(Isolation.SNAPSHOT);
      release.countDown();
      writer.join();
      TestSeams.onExclusiveBatchStep(db, null);
      assertNull(failed.get(), "the batch");
      assertTrue(db.stats().get("versions.recorded") > recordedBefore,
          "flushes between the batch's messages kept the values they overwrote");

      try (during) {
        try (Cursor c = during.cursor(t)) {
          int i = 0;
          for (boolean ok = c.first(); ok; ok = c.next(), i++) {
            assertArrayEquals(key(i), c.key(), "snapshot key");
            assertArrayEquals(value("old", i), c.value(), "snapshot value");
          }
          assertEquals(KEYS, i, "the snapshot sees none of the batch");
        }
        assertArrayEquals(value("old", 0), during.get(t, key(0)));
        assertNull(during.get(t, key(KEYS)));
      }
      assertArrayEquals(value("old", 5), tx.get(t, key(5)));
      tx.put(t, key(100), value("tx", 100));
      assertEquals(ConflictException.Kind.WRITE_WRITE, assertThrows(ConflictException.class, tx::commit).kind(),
          "the batch committed after the transaction's snapshot");

      try (Snapshot after = db.snapshot(); Cursor c = after.cursor(t)) {
        int i = 0;
        for (boolean ok = c.first(); ok; ok = c.next(), i++) {
          assertArrayEquals(key(i), c.key(), "later snapshot key");
          assertArrayEquals(value("new", i), c.value(), "later snapshot value");
        }
        assertEquals(KEYS + 1, i, "a later snapshot sees all of it");
      }
      assertFalse(db.stats().get("snapshots.open") > 0, "every snapshot closed");
    }
  }
}
