package dev.sapwood;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The promises of the public API's Javadoc, one behaviour per test. */
class ApiContractTest {
  @TempDir Path dir;

  private static Options small() {
    return Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4).cacheSize(4 << 20);
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  private static byte[] key(int i) {
    return String.format("key-%08d", i).getBytes(UTF_8);
  }

  /** A user function: reverses the old value (or the argument, if the key is absent). */
  static final UpdateFunction REVERSE = new UpdateFunction() {
    @Override
    public String name() {
      return "test.reverse";
    }

    @Override
    public byte[] apply(byte[] key, byte[] old, byte[] arg) {
      byte[] o = old == null ? arg : old;
      byte[] out = new byte[o.length];
      for (int i = 0; i < o.length; i++) {
        out[i] = o[o.length - 1 - i];
      }
      return out;
    }
  };

  @Test
  void nullKeysAndValuesAreIllegalArguments() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      assertThrows(IllegalArgumentException.class, () -> t.put(null, b("v")));
      assertThrows(IllegalArgumentException.class, () -> t.put(b("k"), null));
      assertThrows(IllegalArgumentException.class, () -> t.get(null));
      assertThrows(IllegalArgumentException.class, () -> t.delete(null));
      assertThrows(IllegalArgumentException.class, () -> t.deleteRange(null, b("z")));
      assertThrows(IllegalArgumentException.class, () -> t.deleteRange(b("a"), null));
      assertThrows(IllegalArgumentException.class, () -> t.update(null, UpdateFunctions.APPEND, b("x")));
      assertThrows(IllegalArgumentException.class, () -> t.update(b("k"), UpdateFunctions.APPEND, null));
      assertThrows(IllegalArgumentException.class, () -> new WriteBatch().put(t, null, b("v")));
      assertThrows(IllegalArgumentException.class, () -> new WriteBatch().put(t, b("k"), null));
      assertNull(t.get(b("k")), "nothing was written by the failed calls");
    }
  }

  @Test
  void oversizedKeysAndValuesAreIllegalArguments() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      byte[] bigKey = new byte[Limits.MAX_KEY_SIZE + 1];
      byte[] bigValue = new byte[Limits.MAX_VALUE_SIZE + 1];
      assertThrows(IllegalArgumentException.class, () -> t.put(bigKey, b("v")));
      assertThrows(IllegalArgumentException.class, () -> t.get(bigKey));
      assertThrows(IllegalArgumentException.class, () -> t.delete(bigKey));
      assertThrows(IllegalArgumentException.class, () -> t.put(b("k"), bigValue));
      assertThrows(IllegalArgumentException.class, () -> t.update(b("k"), UpdateFunctions.APPEND, bigValue));
      assertThrows(IllegalArgumentException.class, () -> t.update(b("k"), UpdateFunctions.ADD_LONG, new byte[7]),
          "ADD_LONG's argument must be 8 bytes");

      byte[] maxKey = new byte[Limits.MAX_KEY_SIZE];
      Arrays.fill(maxKey, (byte) 0xAB);
      t.put(maxKey, b("largest key"));
      assertArrayEquals(b("largest key"), t.get(maxKey));
    }
  }

  @Test
  void emptyKeyAndEmptyValueAreLegal() {
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      t.put(new byte[0], new byte[0]);
      t.put(b("a"), new byte[0]);
      assertArrayEquals(new byte[0], t.get(new byte[0]), "empty value is not absence");
      assertArrayEquals(new byte[0], t.get(b("a")));
      try (Cursor c = t.cursor()) {
        assertTrue(c.first());
        assertArrayEquals(new byte[0], c.key(), "the empty key sorts first");
        assertArrayEquals(new byte[0], c.value());
        assertTrue(c.seek(new byte[0]));
        assertArrayEquals(new byte[0], c.key());
      }
    }
    try (Database db = Database.open(dir, small())) {
      assertArrayEquals(new byte[0], db.tree("t").get(new byte[0]), "after reopen");
      db.tree("t").delete(new byte[0]);
      assertNull(db.tree("t").get(new byte[0]));
    }
  }

  @Test
  void keysCompareAsUnsignedBytes() {
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      byte[][] sorted = {{}, {0}, {0, 0}, {1}, {0x7F}, {(byte) 0x80}, {(byte) 0xFF}, {(byte) 0xFF, 0}};
      List<byte[]> shuffled = new ArrayList<>(Arrays.asList(sorted));
      java.util.Collections.shuffle(shuffled, new Random(1));
      for (byte[] k : shuffled) {
        t.put(k, k);
      }
      try (Cursor c = t.cursor()) {
        int i = 0;
        for (boolean ok = c.first(); ok; ok = c.next()) {
          assertArrayEquals(sorted[i++], c.key());
        }
        assertEquals(sorted.length, i);
      }
    }
  }

  @Test
  void valuesLargerThanANodeRoundTrip() {
    Random r = new Random(7);
    byte[] big = new byte[40 << 10];
    r.nextBytes(big);
    byte[] huge = new byte[5 << 20]; // bigger than the default 1 MiB node
    r.nextBytes(huge);
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      for (int i = 0; i < 50; i++) {
        t.put(key(i), i % 5 == 0 ? big : key(i));
      }
      t.put(b("huge"), huge);
      assertArrayEquals(big, t.get(key(10)));
      assertArrayEquals(huge, t.get(b("huge")));
    }
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      assertArrayEquals(big, t.get(key(10)));
      assertArrayEquals(key(11), t.get(key(11)));
      assertArrayEquals(huge, t.get(b("huge")));
    }
  }

  @Test
  void arraysPassedInAreCopied() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      byte[] k = b("key");
      byte[] v = b("value");
      t.put(k, v);
      k[0] = 'X';
      v[0] = 'X';
      assertArrayEquals(b("value"), t.get(b("key")));
      byte[] got = t.get(b("key"));
      got[0] = 'Y';
      assertArrayEquals(b("value"), t.get(b("key")), "returned arrays are the caller's");
    }
  }

  @Test
  void closedDatabaseTreeAndCursorAreIllegalState() {
    Database db = Database.open(dir);
    Tree t = db.tree("t");
    t.put(b("k"), b("v"));
    Cursor open = t.cursor();
    assertTrue(open.first());
    Cursor closed = t.cursor();
    closed.close();
    assertThrows(IllegalStateException.class, closed::first);
    assertThrows(IllegalStateException.class, () -> closed.seek(b("k")));
    db.close();
    assertDoesNotThrow(db::close, "close is idempotent");

    assertThrows(IllegalStateException.class, () -> db.tree("t"));
    assertThrows(IllegalStateException.class, db::treeNames);
    assertThrows(IllegalStateException.class, db::checkpoint);
    assertThrows(IllegalStateException.class, () -> db.write(new WriteBatch().put(t, b("a"), b("b"))));
    assertThrows(IllegalStateException.class, () -> db.dropTree("t"));
    assertThrows(IllegalStateException.class, () -> t.get(b("k")));
    assertThrows(IllegalStateException.class, () -> t.put(b("k"), b("v")));
    assertThrows(IllegalStateException.class, () -> t.delete(b("k")));
    assertThrows(IllegalStateException.class, t::cursor);
    assertThrows(IllegalStateException.class, open::first, "cursor of a closed database");
    assertThrows(IllegalStateException.class, open::next, "cursor of a closed database");
    assertDoesNotThrow(open::close);
  }

  @Test
  void unpositionedCursorIsIllegalState() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      try (Cursor c = t.cursor()) {
        assertFalse(c.isValid());
        assertThrows(IllegalStateException.class, c::key);
        assertThrows(IllegalStateException.class, c::value);
        assertThrows(IllegalStateException.class, c::next, "next() of a never-positioned cursor");
        assertThrows(IllegalStateException.class, c::prev, "prev() of a never-positioned cursor");
        assertFalse(c.first(), "empty tree");
        assertFalse(c.isValid());
        assertThrows(IllegalStateException.class, c::key);
      }
      t.put(b("a"), b("1"));
      t.put(b("b"), b("2"));
      try (Cursor c = t.cursor()) {
        assertTrue(c.last());
        assertFalse(c.next(), "ran off the end");
        assertFalse(c.isValid());
        assertThrows(IllegalStateException.class, c::key);
        assertFalse(c.seek(b("c")), "nothing >= c");
        assertThrows(IllegalStateException.class, c::value);
        assertTrue(c.seek(b("a0")));
        assertArrayEquals(b("b"), c.key());
        assertTrue(c.prev());
        assertArrayEquals(b("a"), c.key());
        assertFalse(c.prev());
        assertFalse(c.isValid());
      }
    }
  }

  @Test
  void deleteRangeRemovesExactlyTheHalfOpenRange() {
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      for (int i = 0; i < 2000; i++) {
        t.put(key(i), key(i));
      }
      t.deleteRange(key(500), key(500)); // empty
      t.deleteRange(key(900), key(100)); // inverted
      t.deleteRange(b("zzz"), b("a")); // inverted, outside
      for (int i = 0; i < 2000; i++) {
        assertArrayEquals(key(i), t.get(key(i)), "empty or inverted ranges remove nothing");
      }
      t.deleteRange(key(100), key(1500));
      for (int i = 0; i < 2000; i++) {
        if (i >= 100 && i < 1500) {
          assertNull(t.get(key(i)), "in range: " + i);
        } else {
          assertArrayEquals(key(i), t.get(key(i)), "outside range: " + i);
        }
      }
      t.put(key(700), b("back"));
      assertArrayEquals(b("back"), t.get(key(700)), "a put after the range message wins");
      try (Cursor c = t.cursor()) {
        assertTrue(c.seek(key(99)));
        assertTrue(c.next());
        assertArrayEquals(key(700), c.key());
        assertTrue(c.next());
        assertArrayEquals(key(1500), c.key());
      }
    }
  }

  @Test
  void treesAreListedDroppedAndReusable() {
    try (Database db = Database.open(dir, small())) {
      Tree a = db.tree("a");
      Tree b = db.tree("b");
      db.tree("c");
      assertEquals(List.of("a", "b", "c"), db.treeNames());
      for (int i = 0; i < 3000; i++) {
        a.put(key(i), key(i));
        b.put(key(i), key(i));
      }
      db.dropTree("a");
      assertEquals(List.of("b", "c"), db.treeNames());
      assertThrows(IllegalStateException.class, () -> a.get(key(1)), "a dropped tree is unusable");
      assertThrows(IllegalArgumentException.class, () -> db.dropTree("a"), "dropping an absent name");
      assertThrows(IllegalArgumentException.class, () -> db.dropTree("never"));
      Tree a2 = db.tree("a");
      assertNull(a2.get(key(1)), "a recreated tree starts empty");
      try (Cursor c = a2.cursor()) {
        assertFalse(c.first());
      }
      a2.put(b("new"), b("1"));
      assertArrayEquals(key(5), b.get(key(5)), "other trees untouched");
      assertThrows(IllegalArgumentException.class, () -> db.tree(""), "names are 1..255 bytes");
      assertThrows(IllegalArgumentException.class, () -> db.tree("x".repeat(256)));
    }
    try (Database db = Database.open(dir, small())) {
      assertEquals(List.of("a", "b", "c"), db.treeNames());
      Tree a = db.tree("a");
      assertArrayEquals(b("1"), a.get(b("new")));
      assertNull(a.get(key(1)), "the dropped tree's data stays gone after reopen");
      db.dropTree("c");
    }
    try (Database db = Database.open(dir, small())) {
      assertEquals(List.of("a", "b"), db.treeNames());
    }
  }

  @Test
  void writeBatchIsAtomicAcrossTrees() throws Exception {
    try (Database db = Database.open(dir, small())) {
      Tree x = db.tree("x");
      Tree y = db.tree("y");
      int n = 3000;
      AtomicBoolean done = new AtomicBoolean();
      AtomicReference<String> broken = new AtomicReference<>();
      CountDownLatch started = new CountDownLatch(1);
      Thread reader = new Thread(() -> {
        Random r = new Random(3);
        started.countDown();
        while (!done.get() && broken.get() == null) {
          int i = r.nextInt(n);
          // The batch adds x's entry first: if x is visible, y must be as well.
          byte[] vx = x.get(key(i));
          byte[] vy = y.get(key(i));
          if (vx != null && vy == null) {
            broken.set("x has key " + i + " but y does not");
          }
        }
      });
      reader.start();
      started.await();
      for (int i = 0; i < n; i++) {
        db.write(new WriteBatch().put(x, key(i), b("x")).put(y, key(i), b("y")));
      }
      done.set(true);
      reader.join();
      assertNull(broken.get(), broken.get());
      for (int i = 0; i < n; i++) {
        assertArrayEquals(b("x"), x.get(key(i)));
        assertArrayEquals(b("y"), y.get(key(i)));
      }

      WriteBatch ordered = new WriteBatch()
          .put(x, b("k"), b("1"))
          .update(x, b("k"), UpdateFunctions.APPEND, b("2"))
          .delete(y, key(0))
          .update(x, b("c"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(5))
          .update(x, b("c"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(-2));
      assertEquals(5, ordered.size());
      db.write(ordered);
      assertArrayEquals(b("12"), x.get(b("k")), "operations on one key apply in order");
      assertNull(y.get(key(0)));
      assertEquals(3, UpdateFunctions.toLong(x.get(b("c"))));

      WriteBatch bad = new WriteBatch().put(x, b("never"), b("1")).update(x, b("k"), REVERSE, b(""));
      assertThrows(IllegalArgumentException.class, () -> db.write(bad), "unregistered function in a batch");
      assertNull(x.get(b("never")), "a rejected batch applies nothing");
    }
    try (Database db = Database.open(dir, small())) {
      assertArrayEquals(b("12"), db.tree("x").get(b("k")));
      assertArrayEquals(b("y"), db.tree("y").get(key(1)));
    }
  }

  @Test
  void builtInUpdateFunctionsWork() {
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      t.update(b("n"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(40));
      t.update(b("n"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(2));
      assertEquals(42, UpdateFunctions.toLong(t.get(b("n"))));
      t.update(b("max"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(Long.MAX_VALUE));
      t.update(b("max"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(1));
      assertEquals(Long.MIN_VALUE, UpdateFunctions.toLong(t.get(b("max"))), "overflow wraps");
      t.update(b("s"), UpdateFunctions.APPEND, b("ab"));
      t.update(b("s"), UpdateFunctions.APPEND, b("cd"));
      assertArrayEquals(b("abcd"), t.get(b("s")));
      t.update(b("p"), UpdateFunctions.PUT_IF_ABSENT, b("first"));
      t.update(b("p"), UpdateFunctions.PUT_IF_ABSENT, b("second"));
      assertArrayEquals(b("first"), t.get(b("p")));
    }
  }

  @Test
  void updateWithUnregisteredFunctionIsIllegalArgument() {
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      assertThrows(IllegalArgumentException.class, () -> t.update(b("k"), REVERSE, b("abc")));
      assertNull(t.get(b("k")));
    }
    try (Database db = Database.open(dir, small().register(REVERSE))) {
      Tree t = db.tree("t");
      t.update(b("k"), REVERSE, b("abc"));
      assertArrayEquals(b("cba"), t.get(b("k")));
    }
  }

  @Test
  void reopeningWithBufferedMessagesOfAnUnregisteredFunctionFails() {
    Options withFn = small().register(REVERSE);
    try (Database db = Database.open(dir, withFn)) {
      Tree t = db.tree("t");
      for (int i = 0; i < 50_000; i++) {
        t.put(key(i), b("value-" + i));
      }
      // The root is internal now; these messages wait in its buffers.
      for (int i = 0; i < 10; i++) {
        t.update(key(i * 4999), REVERSE, b(""));
      }
      db.checkpoint();
    }
    assertThrows(SapwoodException.class, () -> {
      try (Database db = Database.open(dir, small())) {
        Tree t = db.tree("t");
        for (int i = 0; i < 10; i++) {
          t.get(key(i * 4999));
        }
        try (Cursor c = t.cursor()) {
          for (boolean ok = c.first(); ok; ok = c.next()) {
            c.value();
          }
        }
      }
    }, "the buffers name test.reverse, which this open does not register");
    try (Database db = Database.open(dir, withFn)) {
      Tree t = db.tree("t");
      assertArrayEquals(new StringBuilder("value-4999").reverse().toString().getBytes(UTF_8), t.get(key(4999)));
      assertArrayEquals(b("value-5000"), t.get(key(5000)));
    }
  }

  @Test
  void secondOpenOfAnOpenDirectoryIsLocked() {
    try (Database db = Database.open(dir)) {
      db.tree("t").put(b("k"), b("v"));
      assertThrows(DatabaseLockedException.class, () -> Database.open(dir));
      assertArrayEquals(b("v"), db.tree("t").get(b("k")), "the first handle still works");
    }
    try (Database db = Database.open(dir)) {
      assertArrayEquals(b("v"), db.tree("t").get(b("k")), "the lock is released by close");
    }
  }

  @Test
  void statsHaveCounters() {
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      for (int i = 0; i < 20_000; i++) {
        t.put(key(i), new byte[64]);
      }
      for (int i = 0; i < 20_000; i += 3) {
        assertNotNull(t.get(key(i)));
      }
      db.checkpoint();
      Stats s = db.stats();
      List<String> names = new ArrayList<>(s.counters().keySet());
      for (String part : List.of("flush", "split", "cache")) {
        assertTrue(names.stream().anyMatch(n -> n.contains(part)), () -> "no counter named *" + part + "*: " + names);
      }
      long splits = names.stream().filter(n -> n.contains("split")).mapToLong(s::get).sum();
      assertTrue(splits > 0, () -> "20,000 keys in 16 KiB nodes must have split:\n" + s);
      assertFalse(s.toString().isBlank());
      assertEquals(0, s.get("no.such.counter"));
    }
  }

  @Test
  void deletingEverythingAndCompactingShrinksTheTreeAndTheFile() throws Exception {
    Options o = Options.defaults().nodeSize(64 << 10).basementSize(16 << 10).cacheSize(8 << 20);
    Path file = dir.resolve("sapwood.db");
    Random r = new Random(11);
    int n = 200_000;
    long peak;
    long blocksAtPeak;
    Stats stats;
    try (Database db = Database.open(dir, o)) {
      Tree t = db.tree("t");
      byte[] v = new byte[100];
      for (int i = 0; i < n; i++) {
        r.nextBytes(v);
        t.put(key(i), v);
      }
      db.checkpoint();
      peak = Files.size(file);
      blocksAtPeak = db.stats().get("store.blocks");
      for (int i = 0; i < n; i++) {
        t.delete(key(i));
      }
      db.compact();
      try (Cursor c = t.cursor()) {
        assertFalse(c.first(), "everything was deleted");
      }
      stats = db.stats();
    }
    long after = Files.size(file);
    Stats s = stats;
    assertTrue(peak > 10L << 20, "200,000 x 100 random bytes should take > 10 MiB, took " + peak);
    assertTrue(s.get("store.blocks") <= 3,
        () -> "the tree merged back to a root over one leaf (plus the catalog block): " + s.get("store.blocks")
            + " blocks, " + blocksAtPeak + " at the peak\n" + s);
    assertTrue(s.get("merge.leaf") > 0, () -> "leaves merged\n" + s);
    assertTrue(after < peak / 2,
        () -> "file should shrink after deleting everything: peak " + peak + ", now " + after + "\n" + s);
  }
}
