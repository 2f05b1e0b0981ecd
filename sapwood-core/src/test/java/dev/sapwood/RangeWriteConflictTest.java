package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A range write — {@code deleteRange}, {@code updateRange}, {@code updateAll}, from a plain
 * write, a batch or another transaction — is a write to every key of its range: a transaction
 * that wrote such a key after reading it, read it (SERIALIZABLE), or scanned over it
 * (SERIALIZABLE) conflicts as it would with a point write of that key. Otherwise the range
 * write's effect on the key would be lost (a lost update).
 */
class RangeWriteConflictTest {
  @TempDir
  Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Database open() {
    return Database.open(dir);
  }

  private static ConflictException.Kind conflictOf(Transaction tx) {
    return assertThrows(ConflictException.class, tx::commit).kind();
  }

  @Test
  void aPlainRangeUpdateOverAKeyASnapshotTransactionWroteMakesItConflict() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("k"), UpdateFunctions.fromLong(1));
      Transaction tx = db.begin();
      long v = UpdateFunctions.toLong(tx.get(t, b("k")));
      tx.put(t, b("k"), UpdateFunctions.fromLong(v + 1)); // read-modify-write
      t.updateRange(b("a"), b("z"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(10));
      assertEquals(ConflictException.Kind.WRITE_WRITE, conflictOf(tx));
      assertEquals(11, UpdateFunctions.toLong(t.get(b("k"))), "the range update is not lost");
    }
  }

  @Test
  void aPlainRangeDeleteOverAKeyASnapshotTransactionWroteMakesItConflict() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("k"), b("old"));
      Transaction tx = db.begin();
      tx.put(t, b("k"), b("new"));
      t.deleteRange(b("j"), b("l"));
      assertEquals(ConflictException.Kind.WRITE_WRITE, conflictOf(tx));
    }
  }

  @Test
  void anUpdateAllInABatchMakesATransactionThatWroteAnyKeyConflict() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      Transaction tx = db.begin(Isolation.SERIALIZABLE);
      tx.delete(t, b("anything"));
      db.write(new WriteBatch().updateAll(t, UpdateFunctions.APPEND, b("+")));
      assertEquals(ConflictException.Kind.WRITE_WRITE, conflictOf(tx));
    }
  }

  @Test
  void aPlainRangeUpdateOverAKeyASerializableTransactionReadMakesItConflict() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("m"), b("x"));
      Transaction tx = db.begin(Isolation.SERIALIZABLE);
      assertArrayEquals(b("x"), tx.get(t, b("m")));
      tx.put(t, b("other"), b("y"));
      t.updateRange(b("a"), b("n"), UpdateFunctions.APPEND, b("!"));
      assertEquals(ConflictException.Kind.READ_WRITE, conflictOf(tx));
    }
  }

  @Test
  void anUpdateAllOverAKeyASerializableTransactionReadMakesItConflict() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("m"), b("x"));
      Transaction tx = db.begin(Isolation.SERIALIZABLE);
      tx.get(t, b("m"));
      t.updateAll(UpdateFunctions.APPEND, b("!"));
      assertEquals(ConflictException.Kind.READ_WRITE, conflictOf(tx));
    }
  }

  @Test
  void aPlainRangeUpdateOverlappingARangeASerializableTransactionScannedMakesItConflict() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("c"), b("1"));
      t.put(b("d"), b("2"));
      Transaction tx = db.begin(Isolation.SERIALIZABLE);
      try (Cursor c = tx.cursor(t)) {
        c.seek(b("c"));
        c.next(); // scanned [c, d]
      }
      tx.put(t, b("sum"), b("3"));
      t.updateRange(b("a"), b("cc"), UpdateFunctions.APPEND, b("!")); // starts before the scan
      assertEquals(ConflictException.Kind.RANGE, conflictOf(tx));
    }
  }

  @Test
  void aRangeUpdateCommittedByAnotherTransactionMakesAWriterInsideItConflict() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("k"), b("v"));
      Transaction writer = db.begin();
      writer.put(t, b("k"), b("mine"));
      try (Transaction ranger = db.begin()) {
        ranger.deleteRange(t, b("a"), b("b"));
        ranger.updateRange(t, b("j"), b("l"), UpdateFunctions.APPEND, b("!"));
        ranger.commit();
      }
      assertEquals(ConflictException.Kind.WRITE_WRITE, conflictOf(writer));
      assertArrayEquals(b("v!"), t.get(b("k")));
    }
  }

  @Test
  void aRangeWriteOutsideWhatATransactionTouchedDoesNotMakeItConflict() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("k"), b("v"));
      Transaction tx = db.begin(Isolation.SERIALIZABLE);
      tx.get(t, b("k"));
      tx.put(t, b("k"), b("w"));
      t.updateRange(b("l"), b("z"), UpdateFunctions.APPEND, b("!")); // starts after k
      t.updateRange(b("a"), b("k"), UpdateFunctions.APPEND, b("!")); // ends at k, exclusive
      t.deleteRange(b("k\0"), b("kz"));
      tx.commit();
      assertArrayEquals(b("w"), t.get(b("k")));
    }
  }

  @Test
  void aTransactionsOwnRangeWritesAreBlindAndNeverConflict() {
    try (Database db = open()) {
      Tree t = db.tree("t");
      t.put(b("k"), b("v"));
      Transaction tx = db.begin(Isolation.SNAPSHOT);
      tx.deleteRange(t, b("a"), b("b"));
      t.put(b("aa"), b("later"));
      t.put(b("k"), b("later"));
      tx.commit(); // blind: applied at commit to whatever the range holds then
      assertEquals(null, t.get(b("aa")));
    }
  }
}
