package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract of {@link Tree#updateRange} and {@link Tree#updateAll}, one behaviour per test. */
class RangeUpdateTest {
  @TempDir Path dir;

  /** Values start with their write time (8 bytes); the argument is a cutoff: older ones expire. */
  static final UpdateFunction EXPIRE = new UpdateFunction() {
    @Override
    public String name() {
      return "test.expire_before";
    }

    @Override
    public byte[] apply(byte[] key, byte[] old, byte[] cutoff) {
      return ByteBuffer.wrap(old, 0, 8).getLong() < ByteBuffer.wrap(cutoff).getLong() ? null : old;
    }

    @Override
    public void checkArgument(byte[] a) {
      if (a.length != 8) {
        throw new IllegalArgumentException("an 8-byte cutoff");
      }
    }
  };

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] stamped(long time, String body) {
    byte[] s = b(body);
    return ByteBuffer.allocate(8 + s.length).putLong(time).put(s).array();
  }

  private static byte[] time(long t) {
    return ByteBuffer.allocate(8).putLong(t).array();
  }

  private Database open() {
    return Database.open(dir, Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4).register(EXPIRE));
  }

  @Test
  void updateAllExpiresEveryEntryOlderThanTheCutoffAsOneChange() {
    try (Database db = open()) {
      Tree t = db.tree("sessions");
      for (int i = 0; i < 5000; i++) {
        t.put(b(String.format("s%05d", i)), stamped(i, "x"));
      }
      t.updateAll(EXPIRE, time(2500));
      assertNull(t.get(b("s00000")));
      assertNull(t.get(b("s02499")));
      assertArrayEquals(stamped(2500, "x"), t.get(b("s02500")));
      try (Cursor c = t.cursor()) {
        assertEquals(true, c.first());
        assertArrayEquals(b("s02500"), c.key(), "a cursor sees the expiry at once");
      }
      db.compact(); // drains the buffers: the message reaches every leaf
      assertNull(t.get(b("s01000")));
      assertArrayEquals(stamped(4999, "x"), t.get(b("s04999")));
    }
  }

  @Test
  void aRangeUpdateNeverCreatesAKey() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("b"), b("1"));
      t.updateRange(b("a"), b("z"), UpdateFunctions.APPEND, b("+"));
      assertArrayEquals(b("1+"), t.get(b("b")));
      assertNull(t.get(b("a")), "APPEND as a point update would create 'a'; a range update does not");
      assertNull(t.get(b("c")));
    }
  }

  @Test
  void aRangeUpdateCoversItsStartButNotItsEnd() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      for (String k : new String[] {"a", "b", "c"}) {
        t.put(b(k), b(k));
      }
      t.updateRange(b("a"), b("c"), UpdateFunctions.APPEND, b("+"));
      assertArrayEquals(b("a+"), t.get(b("a")));
      assertArrayEquals(b("b+"), t.get(b("b")));
      assertArrayEquals(b("c"), t.get(b("c")));
    }
  }

  @Test
  void changesAfterARangeUpdateAreNotTouchedByIt() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("k"), b("old"));
      t.updateAll(UpdateFunctions.APPEND, b("+"));
      t.put(b("k2"), b("new"));
      t.update(b("k"), UpdateFunctions.APPEND, b("!"));
      assertArrayEquals(b("old+!"), t.get(b("k")));
      assertArrayEquals(b("new"), t.get(b("k2")));
    }
  }

  @Test
  void aBatchAppliesRangeUpdatesInOrderWithItsOtherChanges() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      db.write(new WriteBatch()
          .put(t, b("a"), b("1"))
          .updateAll(t, UpdateFunctions.APPEND, b("x"))
          .put(t, b("b"), b("2"))
          .updateRange(t, b("b"), b("c"), UpdateFunctions.APPEND, b("y")));
      assertArrayEquals(b("1x"), t.get(b("a")));
      assertArrayEquals(b("2y"), t.get(b("b")));
    }
  }

  @Test
  void anEmptyOrInvertedRangeChangesNothing() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("m"), b("v"));
      t.updateRange(b("m"), b("m"), UpdateFunctions.APPEND, b("+"));
      t.updateRange(b("z"), b("a"), UpdateFunctions.APPEND, b("+"));
      assertArrayEquals(b("v"), t.get(b("m")));
    }
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingIsStored() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      assertThrows(IllegalArgumentException.class, () -> t.updateRange(null, b("z"), UpdateFunctions.APPEND, b("+")));
      assertThrows(IllegalArgumentException.class, () -> t.updateRange(b("a"), null, UpdateFunctions.APPEND, b("+")));
      assertThrows(IllegalArgumentException.class, () -> t.updateAll(UpdateFunctions.APPEND, null));
      assertThrows(IllegalArgumentException.class, () -> t.updateAll(EXPIRE, new byte[3]), "checkArgument refuses");
      UpdateFunction unregistered = new UpdateFunction() {
        @Override
        public String name() {
          return "test.unregistered";
        }

        @Override
        public byte[] apply(byte[] key, byte[] old, byte[] arg) {
          return old;
        }
      };
      assertThrows(IllegalArgumentException.class, () -> t.updateAll(unregistered, new byte[0]));
      assertThrows(IllegalArgumentException.class, () -> new WriteBatch().updateAll(t, EXPIRE, new byte[3]));
    }
  }

  @Test
  void aClosedDatabaseRefusesRangeUpdates() {
    Database db = open();
    Tree t = db.tree("t");
    db.close();
    assertThrows(IllegalStateException.class, () -> t.updateAll(UpdateFunctions.APPEND, b("+")));
    assertThrows(IllegalStateException.class, () -> t.updateRange(b("z"), b("a"), UpdateFunctions.APPEND, b("+")));
  }

  @Test
  void aHandlerWrittenBeforeRangeUpdatesRefusesThem() {
    WriteBatch.Handler old = new WriteBatch.Handler() {
      @Override
      public void put(Tree tree, byte[] key, byte[] value) {}

      @Override
      public void delete(Tree tree, byte[] key) {}

      @Override
      public void update(Tree tree, byte[] key, UpdateFunction fn, byte[] argument) {}
    };
    try (Database db = open()) {
      WriteBatch batch = new WriteBatch().updateAll(db.tree("t"), UpdateFunctions.APPEND, b("+"));
      assertThrows(UnsupportedOperationException.class, () -> batch.forEach(old));
    }
  }

  @Test
  void aRangeUpdateSurvivesACheckpointAndReopen() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      for (int i = 0; i < 2000; i++) {
        t.put(b(String.format("k%04d", i)), b("v"));
      }
      t.updateRange(b("k0500"), b("k1500"), UpdateFunctions.APPEND, b("+"));
      db.checkpoint();
    }
    try (Database db = open()) {
      Tree t = db.tree("t");
      assertArrayEquals(b("v"), t.get(b("k0499")));
      assertArrayEquals(b("v+"), t.get(b("k0500")));
      assertArrayEquals(b("v+"), t.get(b("k1499")));
      assertArrayEquals(b("v"), t.get(b("k1500")));
    }
  }
}
