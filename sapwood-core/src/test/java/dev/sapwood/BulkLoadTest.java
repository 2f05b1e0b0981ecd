package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.tools.Inspect;
import dev.sapwood.internal.tools.TreeShape;
import dev.sapwood.internal.tools.Verifier;
import dev.sapwood.internal.util.BigEndian;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Tree#bulkLoader()}: a tree built bottom-up from sorted input answers every read as the
 * model does, takes ordinary writes after, survives a reopen and verifies; bad input, a non-empty
 * tree, open snapshots and an abandoned load apply nothing and leave no block behind.
 */
class BulkLoadTest {
  /** Small nodes, so that a few thousand entries make a tree of several levels. */
  private static Options small() {
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(1 << 20)
        .durability(Durability.NONE);
  }

  private static NavigableMap<byte[], byte[]> model() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  /** {@code n} random entries: keys of 0 to 40 bytes, values of 0 to 300 (now and then 20 KiB). */
  private static NavigableMap<byte[], byte[]> randomEntries(Random rnd, int n) {
    NavigableMap<byte[], byte[]> m = model();
    while (m.size() < n) {
      byte[] k = new byte[rnd.nextInt(41)];
      rnd.nextBytes(k);
      byte[] v = new byte[rnd.nextInt(50) == 0 ? 20_000 + rnd.nextInt(1000) : rnd.nextInt(301)];
      rnd.nextBytes(v);
      m.put(k, v);
    }
    return m;
  }

  private static long load(Tree t, Map<byte[], byte[]> entries) {
    try (BulkLoader l = t.bulkLoader()) {
      for (Map.Entry<byte[], byte[]> e : entries.entrySet()) {
        l.add(e.getKey(), e.getValue());
      }
      return l.finish();
    }
  }

  @ParameterizedTest(name = "seed {0}, {1} entries")
  @CsvSource({"1, 0", "2, 1", "3, 7", "4, 300", "5, 3000", "6, 12000"})
  void aLoadedTreeAnswersAsTheModelThroughWritesAndReopen(long seed, int n, @TempDir Path dir) {
    System.out.println("BulkLoadTest seed " + seed + ", " + n + " entries");
    Random rnd = new Random(seed);
    NavigableMap<byte[], byte[]> model = randomEntries(rnd, n);
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("t");
      assertEquals(n, load(t, model));
      assertEquals(n, t.approximateSize(), "row count after the load");
      compare(t, model, rnd, "after the load");
      // ordinary writes over the loaded tree
      for (int i = 0; i < 2000; i++) {
        byte[] k = new byte[rnd.nextInt(41)];
        rnd.nextBytes(k);
        if (!model.isEmpty() && rnd.nextInt(3) == 0) {
          k = model.ceilingKey(k) == null ? model.firstKey() : model.ceilingKey(k);
        }
        if (rnd.nextInt(4) == 0) {
          t.delete(k);
          model.remove(k);
        } else {
          byte[] v = new byte[rnd.nextInt(200)];
          rnd.nextBytes(v);
          t.put(k, v);
          model.put(k, v);
        }
      }
      compare(t, model, rnd, "after writes");
      db.checkpoint();
    }
    try (Database db = Database.open(dir, small())) {
      compare(db.tree("t"), model, rnd, "after reopen");
    }
    Verifier.Report report = Verifier.verify(dir, null);
    assertTrue(report.ok(), "verifier: " + report.problems());
  }

  @Test
  void keysNearTheLimitsLoad(@TempDir Path dir) {
    NavigableMap<byte[], byte[]> model = model();
    Random rnd = new Random(7);
    for (int i = 0; i < 40; i++) {
      byte[] k = new byte[i % 3 == 0 ? Limits.MAX_KEY_SIZE : 20];
      rnd.nextBytes(k);
      model.put(k, new byte[i == 5 ? Limits.MAX_VALUE_SIZE : i * 1000]);
    }
    try (Database db = Database.open(dir, small())) {
      Tree t = db.tree("big");
      assertEquals(40, load(t, model));
      compare(t, model, rnd, "large entries");
    }
    Verifier.Report report = Verifier.verify(dir, null);
    assertTrue(report.ok(), "verifier: " + report.problems());
  }

  @Test
  void leavesAreFullAfterALoadAndTheTreeIsShallow(@TempDir Path dir) {
    int n = 200_000;
    Options o = Options.defaults().nodeSize(64 << 10).basementSize(8 << 10).cacheSize(8 << 20);
    try (Database db = Database.open(dir, o)) {
      Iterator<Entry> entries = new Iterator<>() {
        int i;

        @Override
        public boolean hasNext() {
          return i < n;
        }

        @Override
        public Entry next() {
          return Entry.of(key(i++), new byte[100]);
        }
      };
      assertEquals(n, db.tree("t").bulkLoad(entries));
      assertEquals(n, db.tree("t").approximateSize());
    }
    TreeShape shape = Inspect.tree(dir, "t");
    TreeShape.Level leaves = shape.levels().stream().filter(l -> l.height() == 0).findFirst().orElseThrow();
    System.out.printf("bulk load: %d leaves, fill min %.2f avg %.2f max %.2f%n", leaves.nodes(), leaves.minFill(),
        leaves.avgFill(), leaves.maxFill());
    assertTrue(leaves.avgFill() >= 0.95, "leaves " + leaves.avgFill() + " full on average");
    List<Integer> heights = new ArrayList<>();
    shape.levels().forEach(l -> heights.add(l.height()));
    // 200k entries of 125 bytes fill about 390 leaves of 64 KiB; fanout 16 puts 25 nodes above
    // them, 2 above those, and the root on top
    assertEquals(List.of(3, 2, 1, 0), heights, "levels for 200k entries in 64 KiB nodes of fanout 16");
    assertTrue(Verifier.verify(dir, null).ok());
  }

  @Test
  void aLowerFillLeavesRoomInEveryLeaf(@TempDir Path dir) {
    try (Database db = Database.open(dir, Options.defaults().nodeSize(64 << 10).basementSize(8 << 10))) {
      Tree t = db.tree("t");
      assertThrows(IllegalArgumentException.class, () -> t.bulkLoader(0));
      assertThrows(IllegalArgumentException.class, () -> t.bulkLoader(1.5));
      try (BulkLoader l = t.bulkLoader(0.5)) {
        for (int i = 0; i < 50_000; i++) {
          l.add(key(i), new byte[100]);
        }
        assertEquals(50_000, l.finish());
      }
    }
    TreeShape.Level leaves = Inspect.tree(dir, "t").levels().stream().filter(l -> l.height() == 0).findFirst()
        .orElseThrow();
    assertTrue(leaves.avgFill() > 0.45 && leaves.avgFill() <= 0.5, "leaves " + leaves.avgFill() + " full at fill 0.5");
  }

  static byte[] key(long i) {
    byte[] k = new byte[16];
    BigEndian.putLong(k, 8, i);
    return k;
  }

  /** Every get, a full cursor walk both ways, seeks and a random range scan match the model. */
  static void compare(Tree t, NavigableMap<byte[], byte[]> model, Random rnd, String when) {
    for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
      assertArrayEquals(e.getValue(), t.get(e.getKey()), when + ": get");
    }
    try (Cursor c = t.cursor()) {
      Iterator<Map.Entry<byte[], byte[]>> it = model.entrySet().iterator();
      for (boolean ok = c.first(); ok; ok = c.next()) {
        assertTrue(it.hasNext(), when + ": cursor has more than the model");
        Map.Entry<byte[], byte[]> e = it.next();
        assertArrayEquals(e.getKey(), c.key(), when + ": forward key");
        assertArrayEquals(e.getValue(), c.value(), when + ": forward value");
      }
      assertFalse(it.hasNext(), when + ": cursor ended early");
      it = model.descendingMap().entrySet().iterator();
      for (boolean ok = c.last(); ok; ok = c.prev()) {
        assertTrue(it.hasNext(), when + ": backward cursor has more than the model");
        assertArrayEquals(it.next().getKey(), c.key(), when + ": backward key");
      }
      assertFalse(it.hasNext(), when + ": backward cursor ended early");
      for (int i = 0; i < 50; i++) {
        byte[] probe = new byte[rnd.nextInt(10)];
        rnd.nextBytes(probe);
        byte[] expected = model.ceilingKey(probe);
        boolean found = c.seek(probe);
        assertEquals(expected != null, found, when + ": seek");
        if (found) {
          assertArrayEquals(expected, c.key(), when + ": seek key");
        }
      }
    }
    if (!model.isEmpty()) {
      byte[] a = new byte[2];
      byte[] b = new byte[2];
      rnd.nextBytes(a);
      rnd.nextBytes(b);
      if (Arrays.compareUnsigned(a, b) > 0) {
        byte[] x = a;
        a = b;
        b = x;
      }
      List<byte[]> expected = new ArrayList<>(model.subMap(a, true, b, false).keySet());
      List<byte[]> got = new ArrayList<>();
      try (Scan s = t.scan(KeyRange.closedOpen(a, b))) {
        for (Entry e : s) {
          got.add(e.key());
        }
      }
      assertEquals(expected.size(), got.size(), when + ": scan size");
      for (int i = 0; i < got.size(); i++) {
        assertArrayEquals(expected.get(i), got.get(i), when + ": scan key " + i);
      }
    }
  }
}
