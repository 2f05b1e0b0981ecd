package dev.sapwood;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots and transactions take the same key ranges as {@link Tree#cursor(KeyRange)} and {@link Tree#scan}. */
class SnapshotAndTransactionRangeTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  private static List<String> keys(Scan scan) {
    try (scan) {
      return scan.stream().map(e -> new String(e.key(), UTF_8)).collect(Collectors.toList());
    }
  }

  private static List<String> walk(Cursor c) {
    List<String> out = new ArrayList<>();
    try (c) {
      for (boolean ok = c.first(); ok; ok = c.next()) {
        out.add(new String(c.key(), UTF_8));
      }
    }
    return out;
  }

  @Test
  void aSnapshotScansItsRangeAsItWas() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      for (String k : List.of("a1", "a2", "b1", "b2", "b3", "c1")) {
        t.put(b(k), b("v"));
      }
      try (Snapshot s = db.snapshot()) {
        t.delete(b("b2"));
        t.put(b("b4"), b("new"));
        assertEquals(List.of("b1", "b2", "b3"), keys(s.scan(t, KeyRange.prefix(b("b")))));
        assertEquals(List.of("b3", "b2", "b1"), walk(s.cursor(t, KeyRange.prefix(b("b")).reversed())));
        assertEquals(List.of("a1", "a2"), walk(s.cursor(t, KeyRange.lessThan(b("b")))));
        Cursor c = s.cursor(t, KeyRange.closedOpen(b("a2"), b("b3")));
        assertTrue(c.seek(b("a")));
        assertEquals("a2", new String(c.key(), UTF_8));
        assertFalse(c.seek(b("b3")));
        c.close();
      }
      assertEquals(List.of("b1", "b3", "b4"), keys(t.scan(KeyRange.prefix(b("b")))));
    }
  }

  @Test
  void aTransactionScansItsRangeWithItsOwnWritesInsideItOnly() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      for (String k : List.of("a1", "b1", "b3", "c1")) {
        t.put(b(k), b("v"));
      }
      try (Transaction tx = db.begin(Isolation.SERIALIZABLE)) {
        tx.put(t, b("b2"), b("mine"));
        tx.put(t, b("a9"), b("outside"));
        tx.put(t, b("c0"), b("outside"));
        tx.delete(t, b("b3"));
        assertEquals(List.of("b1", "b2"), keys(tx.scan(t, KeyRange.prefix(b("b")))));
        assertEquals(List.of("b2", "b1"), walk(tx.cursor(t, KeyRange.prefix(b("b")).reversed())));
        Cursor c = tx.cursor(t, KeyRange.prefix(b("b")).reversed());
        assertTrue(c.seek(b("b9")));
        assertEquals("b2", new String(c.key(), UTF_8)); // the largest key at or below b9 in range
        assertFalse(c.next() && c.next());
        c.close();
        assertEquals(List.of("a1", "a9", "b1", "b2"), walk(tx.cursor(t, KeyRange.lessThan(b("c")))));
        tx.commit();
      }
    }
  }

  @Test
  void aSerializableTransactionThatScannedARangeConflictsWithAnInsertIntoIt() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      t.put(b("b1"), b("v"));
      Transaction tx = db.begin(Isolation.SERIALIZABLE);
      assertEquals(List.of("b1"), keys(tx.scan(t, KeyRange.prefix(b("b")))));
      tx.put(t, b("x"), b("1"));
      t.put(b("b5"), b("phantom"));
      assertThrows(ConflictException.class, tx::commit);
    }
  }
}
