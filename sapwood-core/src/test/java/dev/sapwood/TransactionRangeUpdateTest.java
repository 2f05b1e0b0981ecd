package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Transaction#updateRange} and {@link Transaction#updateAll}: what the transaction's own
 * reads see (its snapshot and its earlier writes, in order) and what its commit applies.
 */
class TransactionRangeUpdateTest {
  @TempDir
  Path dir;

  /** Deletes a value equal to its argument; appends "*" to every other. */
  static final UpdateFunction DROP_OR_MARK = new UpdateFunction() {
    @Override
    public String name() {
      return "test.drop_or_mark";
    }

    @Override
    public byte[] apply(byte[] key, byte[] old, byte[] arg) {
      if (old == null) {
        throw new AssertionError("a range update saw an absent key");
      }
      if (java.util.Arrays.equals(old, arg)) {
        return null;
      }
      byte[] out = java.util.Arrays.copyOf(old, old.length + 1);
      out[old.length] = '*';
      return out;
    }
  };

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Database open() {
    return Database.open(dir, Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
        .register(DROP_OR_MARK));
  }

  private static TreeMap<byte[], byte[]> model(String... kv) {
    TreeMap<byte[], byte[]> m = TestUtil.newModel();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(b(kv[i]), b(kv[i + 1]));
    }
    return m;
  }

  /** The transaction's get, both cursor directions and a scan all show {@code expected}. */
  private static void assertSees(Transaction tx, Tree t, TreeMap<byte[], byte[]> expected, String what) {
    for (byte[] k : new byte[][] {b("a"), b("b"), b("c"), b("d"), b("e"), b("f"), b("z")}) {
      assertArrayEquals(expected.get(k), tx.get(t, k), what + ": get " + new String(k, StandardCharsets.UTF_8));
    }
    SnapshotModelTest.assertCursorEquals(tx.cursor(t), expected, what);
    TreeMap<byte[], byte[]> scanned = TestUtil.newModel();
    try (Scan s = tx.scan(t, KeyRange.all().reversed())) {
      for (Entry e : s) {
        scanned.put(e.key(), e.value());
      }
    }
    SnapshotModelTest.assertCursorEquals(tx.cursor(t, KeyRange.all()), scanned, what + " (scan)");
  }

  private static void assertTreeIs(Tree t, TreeMap<byte[], byte[]> expected, String what) {
    SnapshotModelTest.assertCursorEquals(t.cursor(), expected, what);
  }

  @Test
  void aRangeUpdateAppliesOverTheSnapshotAndTheTransactionsEarlierWrites() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("a"), b("1"));
      t.put(b("c"), b("3"));
      try (Transaction tx = db.begin()) {
        tx.put(t, b("b"), b("2"));
        tx.updateRange(t, b("a"), b("c"), UpdateFunctions.APPEND, b("+"));
        TreeMap<byte[], byte[]> expected = model("a", "1+", "b", "2+", "c", "3");
        assertSees(tx, t, expected, "put then range update");
        assertTreeIs(t, model("a", "1", "c", "3"), "nothing outside before commit");
        tx.commit();
      }
      assertTreeIs(t, model("a", "1+", "b", "2+", "c", "3"), "committed");
    }
  }

  @Test
  void aPutAfterARangeUpdateWins() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("b"), b("old"));
      try (Transaction tx = db.begin()) {
        tx.updateAll(t, UpdateFunctions.APPEND, b("+"));
        tx.put(t, b("b"), b("new"));
        tx.put(t, b("d"), b("4"));
        assertSees(tx, t, model("b", "new", "d", "4"), "range update then put");
        tx.commit();
      }
      assertTreeIs(t, model("b", "new", "d", "4"), "committed");
    }
  }

  @Test
  void aRangeUpdateNeverBringsBackWhatARangeDeleteRemoved() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("a"), b("1"));
      t.put(b("b"), b("2"));
      t.put(b("e"), b("5"));
      try (Transaction tx = db.begin()) {
        tx.deleteRange(t, b("a"), b("c"));
        tx.put(t, b("b"), b("back"));
        tx.updateRange(t, b("a"), b("f"), UpdateFunctions.APPEND, b("+"));
        assertSees(tx, t, model("b", "back+", "e", "5+"), "range delete, put, range update");
        tx.commit();
      }
      assertTreeIs(t, model("b", "back+", "e", "5+"), "committed");
    }
  }

  @Test
  void aFunctionReturningNullDeletesInTheTransactionAndAtCommit() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("a"), b("x"));
      t.put(b("b"), b("keep"));
      try (Transaction tx = db.begin(Isolation.SERIALIZABLE)) {
        tx.put(t, b("c"), b("x"));
        tx.updateRange(t, b("a"), b("z"), DROP_OR_MARK, b("x"));
        assertSees(tx, t, model("b", "keep*"), "drops");
        tx.updateAll(t, DROP_OR_MARK, b("keep*"));
        assertSees(tx, t, model(), "every key dropped");
        tx.put(t, b("e"), b("after"));
        assertSees(tx, t, model("e", "after"), "a later put");
        tx.commit();
      }
      assertTreeIs(t, model("e", "after"), "committed");
    }
  }

  @Test
  void aRangeUpdateIsBlindAndAppliesAtCommitToWhatTheKeysHoldThen() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("a"), b("1"));
      try (Transaction tx = db.begin()) {
        tx.updateRange(t, b("a"), b("c"), UpdateFunctions.APPEND, b("+"));
        t.put(b("a"), b("2")); // after the snapshot
        t.put(b("b"), b("3"));
        assertSees(tx, t, model("a", "1+"), "its snapshot");
        tx.commit(); // no conflict: nothing it wrote was read
      }
      assertTreeIs(t, model("a", "2+", "b", "3+"), "applied in commit order");
    }
  }

  @Test
  void rangeUpdatesTouchOnlyTheirTreeAndTheirRange() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      Tree u = db.tree("u");
      t.put(b("a"), b("1"));
      t.put(b("c"), b("3"));
      u.put(b("a"), b("9"));
      try (Transaction tx = db.begin()) {
        tx.updateRange(t, b("b"), b("z"), UpdateFunctions.APPEND, b("+"));
        tx.updateRange(t, b("c"), b("a"), UpdateFunctions.APPEND, b("!")); // inverted: nothing
        tx.updateRange(t, b("a"), b("a"), UpdateFunctions.APPEND, b("!")); // empty: nothing
        assertSees(tx, t, model("a", "1", "c", "3+"), "tree t");
        assertSees(tx, u, model("a", "9"), "tree u");
        tx.commit();
      }
      assertTreeIs(t, model("a", "1", "c", "3+"), "t committed");
      assertTreeIs(u, model("a", "9"), "u untouched");
    }
  }

  @Test
  void aRolledBackRangeUpdateChangesNothing() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("a"), b("1"));
      try (Transaction tx = db.begin()) {
        tx.updateAll(t, UpdateFunctions.APPEND, b("+"));
        tx.rollback();
      }
      assertArrayEquals(b("1"), t.get(b("a")));
    }
  }

  @Test
  void badArgumentsAreRefusedAndTheTransactionStaysUsable() {
    UpdateFunction unregistered = new UpdateFunction() {
      @Override
      public String name() {
        return "test.not_registered";
      }

      @Override
      public byte[] apply(byte[] key, byte[] old, byte[] arg) {
        return old;
      }
    };
    try (Database db = Database.open(dir, Options.defaults().maxTransactionBytes(4096))) {
      Tree t = db.tree("t");
      t.put(b("a"), UpdateFunctions.fromLong(1));
      try (Transaction tx = db.begin()) {
        assertThrows(IllegalArgumentException.class, () -> tx.updateAll(t, unregistered, b("")));
        assertThrows(IllegalArgumentException.class, () -> tx.updateRange(t, b("a"), b("b"), UpdateFunctions.ADD_LONG, b("x")));
        assertThrows(IllegalArgumentException.class, () -> tx.updateRange(t, null, b("b"), UpdateFunctions.APPEND, b("")));
        assertThrows(IllegalArgumentException.class, () -> tx.updateRange(t, b("a"), null, UpdateFunctions.APPEND, b("")));
        assertThrows(IllegalArgumentException.class, () -> tx.updateAll(t, UpdateFunctions.APPEND, null));
        assertThrows(NullPointerException.class, () -> tx.updateAll(t, null, b("")));
        assertThrows(IllegalArgumentException.class, () -> tx.updateAll(t, UpdateFunctions.APPEND, new byte[5000]),
            "over maxTransactionBytes");
        tx.updateAll(t, UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(2));
        tx.commit();
      }
      assertArrayEquals(UpdateFunctions.fromLong(3), t.get(b("a")));
      Transaction done = db.begin();
      done.rollback();
      assertThrows(IllegalStateException.class, () -> done.updateAll(t, UpdateFunctions.APPEND, b("")));
    }
  }
}
