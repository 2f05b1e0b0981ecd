package dev.sapwood;

import static dev.sapwood.TestUtil.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tree.cursor(KeyRange) and Tree.scan(KeyRange) against a TreeMap model: every kind of range, both
 * directions, with changes still buffered in internal nodes (deletes and range deletes inside the
 * range), and the edges: empty ranges, ranges past the end, prefixes of 0xFF bytes.
 */
class RangeScanTest {
  @TempDir Path tmp;

  private static Options small() {
    return Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4).cacheSize(4 << 20);
  }

  private static byte[] b(int... xs) {
    byte[] out = new byte[xs.length];
    for (int i = 0; i < xs.length; i++) {
      out[i] = (byte) xs[i];
    }
    return out;
  }

  /** The model's entries in {@code r}, in its order. */
  private static List<Map.Entry<byte[], byte[]>> expected(TreeMap<byte[], byte[]> model, KeyRange r) {
    NavigableMap<byte[], byte[]> sub = model;
    if (r.from() != null) {
      sub = sub.tailMap(r.from(), true);
    }
    if (r.to() != null) {
      sub = sub.headMap(r.to(), false);
    }
    return new ArrayList<>((r.isReversed() ? sub.descendingMap() : sub).entrySet());
  }

  /** Walks the range's cursor both ways and its scan, comparing each with the model. */
  private static void check(Tree t, TreeMap<byte[], byte[]> model, KeyRange r, String ctx) {
    List<Map.Entry<byte[], byte[]>> want = expected(model, r);
    String c0 = ctx + " " + r;
    try (Cursor c = t.cursor(r)) {
      int i = 0;
      for (boolean ok = c.first(); ok; ok = c.next(), i++) {
        assertTrue(i < want.size(), c0 + ": extra key " + hex(c.key()));
        assertArrayEquals(want.get(i).getKey(), c.key(), c0 + ": key #" + i);
        assertArrayEquals(want.get(i).getValue(), c.value(), c0 + ": value #" + i);
      }
      assertEquals(want.size(), i, c0 + ": forward count");
      assertFalse(c.next(), c0 + ": next after the end");
      i = want.size() - 1;
      for (boolean ok = c.last(); ok; ok = c.prev(), i--) {
        assertTrue(i >= 0, c0 + ": extra key going back " + hex(c.key()));
        assertArrayEquals(want.get(i).getKey(), c.key(), c0 + ": key #" + i + " going back");
      }
      assertEquals(-1, i, c0 + ": backward count");
    }
    try (Scan s = t.scan(r)) {
      List<Entry> got = new ArrayList<>();
      s.forEach(got::add);
      assertEquals(want.size(), got.size(), c0 + ": scan count");
      for (int i = 0; i < got.size(); i++) {
        assertEquals(Entry.of(want.get(i).getKey(), want.get(i).getValue()), got.get(i), c0 + ": scan #" + i);
      }
    }
  }

  private static List<KeyRange> ranges(Random rnd, TreeMap<byte[], byte[]> model) {
    List<byte[]> keys = new ArrayList<>(model.keySet());
    List<KeyRange> out = new ArrayList<>(List.of(KeyRange.all(), KeyRange.prefix(b(0xFF)),
        KeyRange.atLeast(b(0xFF, 0xFF, 0xFF)), KeyRange.lessThan(new byte[0]), KeyRange.closedOpen(b(5), b(5))));
    for (int i = 0; i < 12; i++) {
      byte[] x = keys.get(rnd.nextInt(keys.size()));
      byte[] y = keys.get(rnd.nextInt(keys.size()));
      if (Arrays.compareUnsigned(x, y) > 0) {
        byte[] z = x;
        x = y;
        y = z;
      }
      out.add(KeyRange.closedOpen(x, y));
      out.add(KeyRange.atLeast(x));
      out.add(KeyRange.lessThan(y));
      out.add(KeyRange.prefix(Arrays.copyOf(x, 1 + rnd.nextInt(2))));
    }
    List<KeyRange> both = new ArrayList<>();
    for (KeyRange r : out) {
      both.add(r);
      both.add(r.reversed());
    }
    return both;
  }

  @Test
  void everyRangeMatchesTheModelBothWaysWithBufferedDeletesInside() {
    long seed = System.nanoTime();
    System.out.println("RangeScanTest seed " + seed);
    Random rnd = new Random(seed);
    TreeMap<byte[], byte[]> model = TestUtil.newModel();
    try (Database db = Database.open(tmp.resolve("db"), small())) {
      Tree t = db.tree("t");
      for (int i = 0; i < 3000; i++) {
        byte[] k = new byte[1 + rnd.nextInt(3)];
        rnd.nextBytes(k);
        if (rnd.nextInt(10) == 0) {
          k[0] = (byte) 0xFF; // keys under the 0xFF prefixes
        }
        byte[] v = new byte[rnd.nextInt(40)];
        rnd.nextBytes(v);
        t.put(k, v);
        model.put(k, v);
      }
      for (KeyRange r : ranges(rnd, model)) {
        check(t, model, r, "seed " + seed + " after puts");
      }
      // Deletes and range deletes inside ranges, most still buffered above the leaves.
      List<byte[]> keys = new ArrayList<>(model.keySet());
      for (int i = 0; i < 300; i++) {
        byte[] k = keys.get(rnd.nextInt(keys.size()));
        t.delete(k);
        model.remove(k);
      }
      for (int i = 0; i < 5; i++) {
        byte[] x = keys.get(rnd.nextInt(keys.size()));
        byte[] y = Arrays.copyOf(x, x.length + 1);
        y[x.length] = (byte) 0x80;
        t.deleteRange(x, y);
        model.subMap(x, true, y, false).clear();
      }
      for (KeyRange r : ranges(rnd, model)) {
        check(t, model, r, "seed " + seed + " after deletes");
      }
    }
  }

  @Test
  void aRangeEmptiedByARangeDeleteIsEmptyBothWays() {
    try (Database db = Database.open(tmp.resolve("db"), small())) {
      Tree t = db.tree("t");
      for (int i = 0; i < 2000; i++) {
        t.put(String.format("k%05d", i).getBytes(), b(i & 0xFF));
      }
      t.deleteRange("k00500".getBytes(), "k01500".getBytes());
      for (KeyRange r : List.of(KeyRange.closedOpen("k00500".getBytes(), "k01500".getBytes()),
          KeyRange.prefix("k010".getBytes()))) {
        for (KeyRange d : List.of(r, r.reversed())) {
          try (Cursor c = t.cursor(d)) {
            assertFalse(c.first(), d.toString());
            assertFalse(c.last(), d.toString());
            assertFalse(c.seek("k01000".getBytes()), d.toString());
          }
        }
      }
      try (Cursor c = t.cursor(KeyRange.closedOpen("k00499".getBytes(), "k01501".getBytes()))) {
        assertTrue(c.first());
        assertArrayEquals("k00499".getBytes(), c.key());
        assertTrue(c.next(), "next steps over the deleted keys");
        assertArrayEquals("k01500".getBytes(), c.key());
        assertFalse(c.next());
      }
    }
  }

  @Test
  void emptyRangesAndRangesPastTheEndFindNothing() {
    try (Database db = Database.open(tmp.resolve("db"))) {
      Tree t = db.tree("t");
      t.put(b(1), b(1));
      t.put(b(2), b(2));
      for (KeyRange r : List.of(KeyRange.closedOpen(b(1, 5), b(1, 5)), KeyRange.atLeast(b(3)),
          KeyRange.lessThan(b(1)), KeyRange.lessThan(new byte[0]), KeyRange.closedOpen(b(1, 0), b(2)))) {
        for (KeyRange d : List.of(r, r.reversed())) {
          try (Cursor c = t.cursor(d); Scan s = t.scan(d)) {
            assertFalse(c.first(), d.toString());
            assertFalse(c.isValid(), d.toString());
            assertFalse(c.last(), d.toString());
            assertFalse(c.seek(b(1)), d.toString());
            assertFalse(c.next(), d.toString());
            assertFalse(s.iterator().hasNext(), d.toString());
            assertThrows(NoSuchElementException.class, () -> s.iterator().next());
          }
        }
      }
    }
  }

  @Test
  void aPrefixOfFfBytesRunsToTheLastKey() {
    try (Database db = Database.open(tmp.resolve("db"))) {
      Tree t = db.tree("t");
      for (byte[] k : List.of(b(0xFE, 0xFF), b(0xFF), b(0xFF, 0x00), b(0xFF, 0xFF), b(0xFF, 0xFF, 0x00),
          b(0xFF, 0xFF, 0xFF, 0xFF))) {
        t.put(k, k);
      }
      try (Scan s = t.scan(KeyRange.prefix(b(0xFF, 0xFF)))) {
        List<String> keys = s.stream().map(e -> Bytes.of(e.key()).toString()).collect(Collectors.toList());
        assertEquals(List.of("0xffff", "0xffff00", "0xffffffff"), keys);
      }
      try (Scan s = t.scan(KeyRange.prefix(b(0xFF)).reversed())) {
        List<String> keys = s.stream().map(e -> Bytes.of(e.key()).toString()).collect(Collectors.toList());
        assertEquals(List.of("0xffffffff", "0xffff00", "0xffff", "0xff00", "0xff"), keys);
      }
    }
  }

  @Test
  void seekStaysInsideTheRangeInItsOrder() {
    try (Database db = Database.open(tmp.resolve("db"))) {
      Tree t = db.tree("t");
      for (int i = 0; i < 10; i++) {
        t.put(b(i * 10), b(i));
      }
      try (Cursor c = t.cursor(KeyRange.closedOpen(b(20), b(60)))) {
        assertTrue(c.seek(b(5)), "a key before the range seeks to its first key");
        assertArrayEquals(b(20), c.key());
        assertTrue(c.seek(b(31)));
        assertArrayEquals(b(40), c.key());
        assertTrue(c.prev());
        assertArrayEquals(b(30), c.key());
        assertFalse(c.seek(b(60)), "the end is exclusive");
        assertFalse(c.isValid());
        assertFalse(c.seek(b(55)));
        assertTrue(c.last());
        assertArrayEquals(b(50), c.key());
        assertFalse(c.next());
        assertFalse(c.next(), "off the end, next stays false");
        assertTrue(c.first());
        assertFalse(c.prev(), "nothing before the range's first key, though the tree has one");
      }
      try (Cursor c = t.cursor(KeyRange.closedOpen(b(20), b(60)).reversed())) {
        assertTrue(c.first());
        assertArrayEquals(b(50), c.key(), "a reversed range starts at its largest key");
        assertTrue(c.next());
        assertArrayEquals(b(40), c.key(), "and next goes down");
        assertTrue(c.prev());
        assertArrayEquals(b(50), c.key());
        assertFalse(c.prev(), "prev from the first key of a reversed range leaves it");
        assertTrue(c.seek(b(35)));
        assertArrayEquals(b(30), c.key(), "seek in a reversed range finds the largest key <= it");
        assertTrue(c.seek(b(30)));
        assertArrayEquals(b(30), c.key());
        assertTrue(c.seek(b(99)), "a key before a reversed range (above it) seeks to its first key");
        assertArrayEquals(b(50), c.key());
        assertFalse(c.seek(b(19)), "a key past a reversed range (below it) finds nothing");
        assertTrue(c.last());
        assertArrayEquals(b(20), c.key());
        assertFalse(c.next());
      }
    }
  }

  @Test
  void aScanStreamsAndClosingTheStreamClosesTheScan() {
    try (Database db = Database.open(tmp.resolve("db"))) {
      Tree t = db.tree("t");
      for (int i = 0; i < 100; i++) {
        t.put(String.format("a%03d", i).getBytes(), b(i));
      }
      t.put("b".getBytes(), b(0));
      Scan s = t.scan(KeyRange.prefix("a".getBytes()));
      Iterator<Entry> it = s.iterator();
      assertTrue(it.hasNext());
      try (Stream<Entry> st = s.stream()) {
        assertEquals(100, st.count());
      }
      assertThrows(IllegalStateException.class, it::hasNext, "closing the stream closed the scan's iterators");
      assertThrows(IllegalStateException.class, s::iterator);
      assertThrows(IllegalStateException.class, s::stream);
      s.close(); // idempotent
    }
  }

  @Test
  void aScanIteratesAgainFromTheStartAndRefusesUseAfterClose() {
    try (Database db = Database.open(tmp.resolve("db"))) {
      Tree t = db.tree("t");
      for (int i = 0; i < 5; i++) {
        t.put(b(i), b(i));
      }
      Iterator<Entry> kept;
      try (Scan s = t.scan(KeyRange.atLeast(b(2)).reversed())) {
        List<Integer> first = new ArrayList<>();
        s.forEach(e -> first.add((int) e.key()[0]));
        assertEquals(List.of(4, 3, 2), first);
        List<Integer> again = new ArrayList<>();
        s.forEach(e -> again.add((int) e.key()[0]));
        assertEquals(first, again, "each iterator starts at the range's first key");
        kept = s.iterator();
        assertEquals(Entry.of(b(4), b(4)), kept.next());
        assertThrows(UnsupportedOperationException.class, kept::remove);
      }
      assertThrows(IllegalStateException.class, kept::next);
      Scan open = t.scan(KeyRange.all());
      Iterator<Entry> it = open.iterator();
      db.close();
      assertThrows(IllegalStateException.class, it::hasNext, "a scan of a closed database");
    }
  }

  @Test
  void aScanOfADroppedTreeFails() {
    try (Database db = Database.open(tmp.resolve("db"))) {
      Tree t = db.tree("t");
      t.put(b(1), b(1));
      try (Scan s = t.scan(KeyRange.all())) {
        db.dropTree("t");
        assertThrows(IllegalStateException.class, () -> s.iterator().hasNext());
      }
      assertThrows(IllegalStateException.class, () -> t.scan(KeyRange.all()));
      assertThrows(IllegalStateException.class, () -> t.cursor(KeyRange.all()));
    }
  }

  @Test
  void nullRangesAreRefused() {
    try (Database db = Database.open(tmp.resolve("db"))) {
      Tree t = db.tree("t");
      assertThrows(IllegalArgumentException.class, () -> t.scan(null));
      assertThrows(IllegalArgumentException.class, () -> t.cursor(null));
    }
  }
}
