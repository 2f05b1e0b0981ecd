package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Cursor;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Transaction;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A transaction's range updates after a crash ({@link MemoryFileIo#crash()}: the process dies and
 * what was not synced is lost): a SYNC commit holding them is replayed to exactly the state it
 * made, through a checkpoint taken between commits and for a commit too large for its roots'
 * buffers; a commit that was never synced is wholly absent.
 */
class TransactionRangeUpdateRecoveryTest {
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path dir = Path.of("/tx-range-updates");
  private final Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
      .register(TransactionModelTest.TOGGLE).durability(Durability.SYNC)
      .checkpointInterval(Duration.ofHours(1)).syncInterval(Duration.ofHours(1));

  private static byte[] key(int i) {
    return String.format("k%04d", i).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static TreeMap<byte[], byte[]> contents(Tree t) {
    TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
    try (Cursor c = t.cursor()) {
      for (boolean ok = c.first(); ok; ok = c.next()) {
        m.put(c.key(), c.value());
      }
    }
    return m;
  }

  private static void assertSame(TreeMap<byte[], byte[]> expected, TreeMap<byte[], byte[]> got, String what) {
    Iterator<Map.Entry<byte[], byte[]>> it = got.entrySet().iterator();
    for (Map.Entry<byte[], byte[]> e : expected.entrySet()) {
      assertTrue(it.hasNext(), what + ": missing " + new String(e.getKey(), StandardCharsets.US_ASCII));
      Map.Entry<byte[], byte[]> g = it.next();
      assertArrayEquals(e.getKey(), g.getKey(), what + ": key");
      assertArrayEquals(e.getValue(), g.getValue(), what + ": value of " + new String(e.getKey(), StandardCharsets.US_ASCII));
    }
    assertFalse(it.hasNext(), what + ": extra keys");
  }

  @Test
  void syncCommitsWithRangeUpdatesReplayToTheStateTheyMade() {
    DatabaseImpl db = TestSeams.open(dir, options, io);
    Tree t = db.tree("t");
    for (int i = 0; i < 300; i++) {
      t.put(key(i), b("v" + i));
    }
    try (Transaction tx = db.begin()) {
      tx.put(t, key(10), b("x"));
      tx.updateRange(t, key(0), key(50), TransactionModelTest.TOGGLE, b("+"));
      tx.deleteRange(t, key(20), key(30));
      tx.updateRange(t, key(10), key(11), TransactionModelTest.TOGGLE, b("+")); // deletes k0010: "x+" ends with '+'
      tx.put(t, key(25), b("back"));
      tx.commit();
    }
    db.checkpoint();
    t.updateRange(key(40), key(60), TransactionModelTest.TOGGLE, b("-")); // a plain one between
    try (Transaction tx = db.begin()) {
      tx.updateAll(t, TransactionModelTest.TOGGLE, b("-")); // deletes what the plain one marked
      tx.put(t, key(400), b("new"));
      tx.commit();
    }
    TreeMap<byte[], byte[]> before = contents(t);
    assertTrue(before.containsKey(key(1)) && !before.containsKey(key(10)) && !before.containsKey(key(45)),
        "the commits did what they say");
    TestSeams.halt(db);
    io.crash();
    try (DatabaseImpl again = TestSeams.open(dir, options, io)) {
      assertSame(before, contents(again.tree("t")), "after the crash");
    }
  }

  @Test
  void aCommitTooLargeForItsRootsBuffersReplaysWholeWithItsRangeUpdate() {
    DatabaseImpl db = TestSeams.open(dir, options, io);
    Tree t = db.tree("t");
    for (int i = 0; i < 200; i++) {
      t.put(key(i), b("v" + i));
    }
    byte[] big = new byte[1000];
    try (Transaction tx = db.begin()) {
      for (int i = 200; i < 260; i++) { // about 60 KB: past a 16 KiB node, the exclusive path
        tx.put(t, key(i), big);
      }
      tx.updateRange(t, key(100), key(230), TransactionModelTest.TOGGLE, b("+"));
      tx.commit();
    }
    TreeMap<byte[], byte[]> before = contents(t);
    assertArrayEquals(b("v150+"), before.get(key(150)));
    TestSeams.halt(db);
    io.crash();
    try (DatabaseImpl again = TestSeams.open(dir, options, io)) {
      assertSame(before, contents(again.tree("t")), "after the crash");
    }
  }

  @Test
  void aCommitNeverSyncedIsWhollyAbsentAfterAPowerLoss() {
    DatabaseImpl db = TestSeams.open(dir, options, io);
    Tree t = db.tree("t");
    for (int i = 0; i < 100; i++) {
      t.put(key(i), b("v" + i));
    }
    TreeMap<byte[], byte[]> before = contents(t);
    try (Transaction tx = db.begin()) {
      tx.put(t, key(500), b("new"));
      tx.updateAll(t, TransactionModelTest.TOGGLE, b("+"));
      tx.commit(Durability.ASYNC); // handed to the OS, never synced
    }
    assertArrayEquals(b("v1+"), t.get(key(1)));
    TestSeams.halt(db);
    io.crash(); // power loss: what was not synced is gone
    try (DatabaseImpl again = TestSeams.open(dir, options, io)) {
      assertSame(before, contents(again.tree("t")), "none of the unsynced commit");
    }
  }
}
