package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transaction contract: own writes, atomic commit, conflicts by isolation level, retries. */
class TransactionTest {
  @TempDir
  Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static long num(byte[] v) {
    return v == null ? 0 : UpdateFunctions.toLong(v);
  }

  @Test
  void aTransactionReadsItsSnapshotPlusItsOwnWritesAndCommitsThemAtOnce() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      t.put(b("a"), b("1"));
      t.put(b("b"), b("2"));
      t.put(b("c"), b("3"));
      try (Transaction tx = db.begin()) {
        tx.put(t, b("a"), b("10"));
        tx.delete(t, b("b"));
        tx.put(t, b("d"), b("4"));
        tx.update(t, b("e"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(5));
        tx.update(t, b("e"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(2));
        t.put(b("c"), b("30")); // after the snapshot: the transaction does not see it
        assertArrayEquals(b("10"), tx.get(t, b("a")));
        assertNull(tx.get(t, b("b")));
        assertArrayEquals(b("3"), tx.get(t, b("c")));
        assertEquals(7, num(tx.get(t, b("e"))));
        assertNull(t.get(b("d")), "nothing is visible outside before commit");
        TreeMap<byte[], byte[]> expected = TestUtil.newModel();
        expected.put(b("a"), b("10"));
        expected.put(b("c"), b("3"));
        expected.put(b("d"), b("4"));
        expected.put(b("e"), UpdateFunctions.fromLong(7));
        SnapshotModelTest.assertCursorEquals(tx.cursor(t), expected, "transaction cursor");
        tx.deleteRange(t, b("c"), b("e"));
        expected.remove(b("c"));
        expected.remove(b("d"));
        SnapshotModelTest.assertCursorEquals(tx.cursor(t), expected, "after its own range delete");
        tx.commit();
      }
      assertArrayEquals(b("10"), t.get(b("a")));
      assertNull(t.get(b("b")));
      assertNull(t.get(b("c")), "the range delete covered the later plain write too");
      assertNull(t.get(b("d")));
      assertEquals(7, num(t.get(b("e"))));
    }
  }

  @Test
  void firstCommitterWinsAndTheLoserAppliesNothing() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      Transaction t1 = db.begin();
      Transaction t2 = db.begin();
      t1.put(t, b("k"), b("one"));
      t2.put(t, b("k"), b("two"));
      t2.put(t, b("other"), b("x"));
      t1.commit();
      ConflictException e = assertThrows(ConflictException.class, t2::commit);
      assertEquals(ConflictException.Kind.WRITE_WRITE, e.kind());
      assertArrayEquals(b("one"), t.get(b("k")));
      assertNull(t.get(b("other")), "nothing of an aborted transaction is applied");
      assertThrows(IllegalStateException.class, () -> t2.get(t, b("k")), "finished after a conflict");
      t2.close();
      assertEquals(1, db.stats().get("txn.conflicts.write_write"));
      assertEquals(1, db.stats().get("txn.commits"));
      assertEquals(1, db.stats().get("txn.rollbacks"));
      assertEquals(0, db.stats().get("txn.open"));
    }
  }

  @Test
  void aPlainWriteAfterTheSnapshotMakesATransactionWritingTheSameKeyConflict() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      try (Transaction tx = db.begin()) {
        tx.put(t, b("k"), b("tx"));
        t.put(b("k"), b("plain"));
        assertThrows(ConflictException.class, tx::commit);
      }
      assertArrayEquals(b("plain"), t.get(b("k")));
    }
  }

  @Test
  void blindUpdatesNeverConflictAndApplyInCommitOrder() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      Transaction t1 = db.begin();
      Transaction t2 = db.begin();
      t1.update(t, b("counter"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(1));
      t2.update(t, b("counter"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(10));
      t.update(b("counter"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(100));
      t1.commit();
      t2.commit();
      assertEquals(111, num(t.get(b("counter"))));
    }
  }

  @Test
  void writeSkewIsPreventedBySerializableAndAllowedBySnapshot() {
    for (Isolation iso : Isolation.values()) {
      try (Database db = Database.open(dir.resolve(iso.name()))) {
        Tree t = db.tree("doctors");
        t.put(b("alice"), b("on"));
        t.put(b("bob"), b("on"));
        Transaction t1 = db.begin(iso);
        Transaction t2 = db.begin(iso);
        // Each sees both on call and takes one off: together they leave nobody on call.
        assertEquals(2, onCall(t1, t));
        assertEquals(2, onCall(t2, t));
        t1.put(t, b("alice"), b("off"));
        t2.put(t, b("bob"), b("off"));
        int committed = 0;
        for (Transaction tx : List.of(t1, t2)) {
          try {
            tx.commit();
            committed++;
          } catch (ConflictException e) {
            assertEquals(ConflictException.Kind.READ_WRITE, e.kind());
          }
        }
        assertEquals(iso == Isolation.SERIALIZABLE ? 1 : 2, committed, iso.name());
      }
    }
  }

  private static int onCall(Transaction tx, Tree t) {
    int n = 0;
    for (String d : List.of("alice", "bob")) {
      if (new String(tx.get(t, b(d)), StandardCharsets.UTF_8).equals("on")) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aSerializableScanAbortsOnAPhantomInsertedIntoItsRange() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      t.put(b("a1"), b("x"));
      t.put(b("c1"), b("x"));
      Transaction tx = db.begin(Isolation.SERIALIZABLE);
      int seen = 0;
      try (Cursor c = tx.cursor(t)) {
        for (boolean ok = c.seek(b("a")); ok && new String(c.key(), StandardCharsets.UTF_8).startsWith("a"); ok = c.next()) {
          seen++;
        }
      }
      assertEquals(1, seen);
      tx.put(t, b("count-a"), b("1"));
      t.put(b("a2"), b("phantom")); // into the scanned range, after the snapshot
      ConflictException e = assertThrows(ConflictException.class, tx::commit);
      assertEquals(ConflictException.Kind.RANGE, e.kind());

      Transaction ok = db.begin(Isolation.SERIALIZABLE);
      try (Cursor c = ok.cursor(t)) {
        assertTrue(c.seek(b("a")));
      }
      ok.put(t, b("count-a"), b("2"));
      t.put(b("z"), b("outside the scanned range"));
      ok.commit();
    }
  }

  @Test
  void transactRetriesConflictsSoNoIncrementIsLost() throws InterruptedException {
    try (Database db = Database.open(dir, Options.defaults().transactionRetries(1000))) {
      Tree t = db.tree("t");
      int threads = 4;
      int each = 200;
      List<Thread> ts = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        ts.add(new Thread(() -> {
          for (int j = 0; j < each; j++) {
            db.transact(tx -> {
              long v = num(tx.get(t, b("n")));
              tx.put(t, b("n"), UpdateFunctions.fromLong(v + 1));
              return null;
            });
          }
        }));
      }
      ts.forEach(Thread::start);
      for (Thread th : ts) {
        th.join();
      }
      assertEquals(threads * each, num(t.get(b("n"))));
      assertEquals(threads * each, db.stats().get("txn.commits"));
    }
  }

  @Test
  void transactGivesUpAfterItsRetriesWithTheLastConflict() {
    try (Database db = Database.open(dir, Options.defaults().transactionRetries(2))) {
      Tree t = db.tree("t");
      AtomicInteger runs = new AtomicInteger();
      assertThrows(ConflictException.class, () -> db.transact(tx -> {
        runs.incrementAndGet();
        tx.put(t, b("k"), b("mine"));
        t.put(b("k"), b("someone else")); // always conflicts
        return null;
      }));
      assertEquals(3, runs.get());
      assertEquals(2, db.stats().get("txn.retries"));
    }
  }

  @Test
  void aWriteSetOverItsLimitRefusesTheOperationAndStaysUsable() {
    try (Database db = Database.open(dir, Options.defaults().maxTransactionBytes(4096))) {
      Tree t = db.tree("t");
      try (Transaction tx = db.begin()) {
        tx.put(t, b("small"), b("v"));
        assertThrows(IllegalArgumentException.class, () -> tx.put(t, b("big"), new byte[5000]));
        tx.commit();
      }
      assertArrayEquals(b("v"), t.get(b("small")));
      assertNull(t.get(b("big")));
    }
  }

  @Test
  void aFinishedTransactionOrClosedSnapshotRefusesUse() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      Transaction tx = db.begin();
      tx.rollback();
      assertThrows(IllegalStateException.class, () -> tx.put(t, b("k"), b("v")));
      assertThrows(IllegalStateException.class, tx::commit);
      tx.close();
      tx.close();
      Snapshot s = db.snapshot();
      s.close();
      s.close();
      assertThrows(IllegalStateException.class, () -> s.get(t, b("k")));
      assertFalse(db.stats().get("snapshots.open") > 0);
    }
  }
}
