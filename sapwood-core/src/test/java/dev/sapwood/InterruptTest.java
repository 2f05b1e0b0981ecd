package dev.sapwood;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thread interrupted while it uses the database (its flag set before the call or arriving during
 * it) makes the JDK close the file's channel for everyone during any file I/O; the database must
 * neither fail nor lose data nor lose the interrupt. Each call here runs on a thread whose flag is
 * set when the call starts, on a real file system ({@code NioFileIo}).
 */
class InterruptTest {
  @TempDir Path dir;

  /** Small nodes and a tiny cache: the caller's own writes evict and write nodes to the file. */
  private static final Options SMALL =
      Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).cacheSize(256 << 10);

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int i) {
    byte[] v = new byte[100];
    Arrays.fill(v, (byte) i);
    return v;
  }

  /** What a call on an interrupted thread did, and whether the flag was still set afterwards. */
  private record Outcome(Object result, Throwable thrown, boolean stillInterrupted) {
    /** The call said it was interrupted (a SyncInterruptedException) and kept the flag. */
    void assertSyncInterrupted(String what) {
      assertTrue(thrown instanceof SyncInterruptedException, what + " threw: " + thrown);
      assertTrue(stillInterrupted, what + ": the interrupt flag was cleared");
    }

    void assertReturned() {
      if (thrown != null) {
        throw new AssertionError("the call on an interrupted thread threw", thrown);
      }
      assertTrue(stillInterrupted, "the interrupt flag was cleared");
    }
  }

  /** Runs {@code call} on a new thread whose interrupt flag is set first. */
  private static Outcome onInterruptedThread(Callable<?> call) throws InterruptedException {
    AtomicReference<Outcome> out = new AtomicReference<>();
    Thread t = new Thread(() -> {
      Thread.currentThread().interrupt();
      Object r = null;
      Throwable e = null;
      try {
        r = call.call();
      } catch (Throwable x) {
        e = x;
      }
      out.set(new Outcome(r, e, Thread.currentThread().isInterrupted()));
    });
    t.start();
    t.join();
    return out.get();
  }

  private static void fill(Tree t, int from, int to) {
    for (int i = from; i < to; i++) {
      t.put(key(i), value(i));
    }
  }

  private static void assertHas(Tree t, int from, int to, String when) {
    for (int i = from; i < to; i++) {
      assertArrayEquals(value(i), t.get(key(i)), "key " + i + " " + when);
    }
  }

  @Test
  void anInterruptedReaderGetsItsValueAndTheDatabaseGoesOn() throws Exception {
    try (Database db = Database.open(dir, SMALL)) {
      fill(db.tree("t"), 0, 20_000);
    }
    try (Database db = Database.open(dir, SMALL)) { // a cold cache: reads go to the file
      Tree t = db.tree("t");
      Outcome r = onInterruptedThread(() -> t.get(key(12_345)));
      r.assertReturned();
      assertArrayEquals(value(12_345), (byte[]) r.result());
      assertHas(t, 0, 20_000, "after the interrupt");
      t.put(key(1), value(1)); // writes still work: the interrupt did not fail the database
    }
  }

  @Test
  void putsOnAnInterruptedThreadSucceedAndTheDatabaseStaysWritable() throws Exception {
    try (Database db = Database.open(dir, SMALL)) {
      Tree t = db.tree("t");
      // ASYNC puts write the log on the caller's thread, and the tiny cache makes them write nodes.
      onInterruptedThread(() -> {
        fill(t, 0, 10_000);
        return null;
      }).assertReturned();
      fill(t, 10_000, 12_000); // everyone else goes on writing
      db.write(new WriteBatch().put(t, key(12_000), value(12_000)), Durability.SYNC);
      assertHas(t, 0, 12_001, "after the interrupted puts");
    } // close() does not throw
    try (Database db = Database.open(dir, SMALL)) {
      assertHas(db.tree("t"), 0, 12_001, "after reopening");
    }
  }

  @Test
  void aSyncBatchOnAnInterruptedThreadSaysItWasInterruptedAndTheDatabaseGoesOn() throws Exception {
    try (Database db = Database.open(dir, SMALL)) {
      Tree t = db.tree("t");
      fill(t, 0, 100);
      WriteBatch b = new WriteBatch().put(t, key(100), value(100)).put(t, key(101), value(101));
      Outcome r = onInterruptedThread(() -> {
        db.write(b, Durability.SYNC);
        return null;
      });
      r.assertSyncInterrupted("the batch");
      assertTrue(r.thrown().getCause() instanceof InterruptedException, "cause: " + r.thrown().getCause());
      assertHas(t, 0, 102, "after the interrupted batch"); // applied, durability unknown
      fill(t, 102, 200);
      db.write(new WriteBatch().put(t, key(200), value(200)), Durability.SYNC);
      db.sync(); // now the interrupted batch is durable too
    }
    try (Database db = Database.open(dir, SMALL)) {
      assertHas(db.tree("t"), 0, 201, "after reopening");
    }
  }

  @Test
  void syncAndSyncPutsOnAnInterruptedThreadSayTheyWereInterruptedAndTheDatabaseGoesOn() throws Exception {
    try (Database db = Database.open(dir, SMALL.durability(Durability.SYNC))) {
      Tree t = db.tree("t");
      Outcome put = onInterruptedThread(() -> {
        t.put(key(0), value(0));
        return null;
      });
      put.assertSyncInterrupted("put");
      Outcome sync = onInterruptedThread(() -> {
        db.sync();
        return null;
      });
      sync.assertSyncInterrupted("sync");
      fill(t, 1, 50); // SYNC puts from a thread that was not interrupted
      assertHas(t, 0, 50, "after the interrupted SYNC put");
    }
    try (Database db = Database.open(dir, SMALL)) {
      assertHas(db.tree("t"), 0, 50, "after reopening");
    }
  }

  @Test
  void aCheckpointOnAnInterruptedThreadCompletesAndKeepsTheFlag() throws Exception {
    try (Database db = Database.open(dir, SMALL)) {
      Tree t = db.tree("t");
      fill(t, 0, 20_000); // many dirty nodes and log records not yet synced
      long before = db.stats().get("checkpoint.count");
      onInterruptedThread(() -> {
        db.checkpoint();
        return null;
      }).assertReturned();
      assertEquals(before + 1, db.stats().get("checkpoint.count"));
      fill(t, 20_000, 21_000);
      db.checkpoint();
    }
    try (Database db = Database.open(dir, SMALL)) {
      assertHas(db.tree("t"), 0, 21_000, "after reopening");
    }
  }

  @Test
  void anInterruptedCloseClosesCleanlyAndKeepsEverything() throws Exception {
    Database db = Database.open(dir, SMALL);
    Tree t = db.tree("t");
    fill(t, 0, 10_000);
    WriteBatch unlogged = new WriteBatch();
    for (int i = 10_000; i < 12_000; i++) {
      unlogged.put(t, key(i), value(i));
    }
    db.write(unlogged, Durability.NONE); // only the checkpoint at close makes these durable
    onInterruptedThread(() -> {
      db.close();
      return null;
    }).assertReturned();
    assertThrows(IllegalStateException.class, () -> t.put(key(0), value(0)), "closed");
    try (Database again = Database.open(dir, SMALL)) {
      assertHas(again.tree("t"), 0, 12_000, "after reopening");
    }
  }

  @Test
  void anInterruptedOpenRecoversAndKeepsTheFlag() throws Exception {
    try (Database db = Database.open(dir, SMALL)) {
      fill(db.tree("t"), 0, 5_000);
    }
    Outcome r = onInterruptedThread(() -> {
      try (Database db = Database.open(dir, SMALL)) {
        Tree t = db.tree("t");
        assertHas(t, 0, 5_000, "read on the interrupted thread");
        fill(t, 5_000, 6_000);
      }
      return null;
    });
    r.assertReturned();
    try (Database db = Database.open(dir, SMALL)) {
      assertHas(db.tree("t"), 0, 6_000, "after reopening");
    }
  }
}
