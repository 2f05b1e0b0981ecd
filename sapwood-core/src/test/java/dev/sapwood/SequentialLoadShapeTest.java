package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.tools.Inspect;
import dev.sapwood.internal.tools.TreeShape;
import dev.sapwood.internal.util.BigEndian;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ascending load splits the rightmost leaf left-heavy, so the leaves it leaves behind are full
 * (as {@code sapwood dump} shows), and the tree stays right when the keys stop ascending.
 */
class SequentialLoadShapeTest {
  private static final int NODE = 16 << 10;

  private static Options options() {
    return Options.defaults().nodeSize(NODE).basementSize(1 << 10).cacheSize(64 << 20).durability(Durability.NONE);
  }

  private static byte[] key(long i) {
    byte[] k = new byte[16];
    BigEndian.putLong(k, 8, i);
    return k;
  }

  private static byte[] value(long i, int salt) {
    byte[] v = new byte[100];
    new Random(i * 31 + salt).nextBytes(v);
    return v;
  }

  private static TreeShape.Level leaves(TreeShape s) {
    return s.levels().stream().filter(l -> l.height() == 0).findFirst().orElseThrow();
  }

  @Test
  void anAscendingLoadLeavesFullLeavesAndStaysRightWhenKeysStopAscending(@TempDir Path dir) {
    int n = 12_000;
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    try (Database db = Database.open(dir, options())) {
      Tree t = db.tree("t");
      for (int i = 0; i < n; i++) {
        t.put(key(i * 2L), value(i, 0));
        model.put(key(i * 2L), value(i, 0));
      }
      assertTrue(db.stats().get("split.leaf_left_heavy") > 0, "no left-heavy split");
    }
    TreeShape seq = Inspect.tree(dir, "t");
    TreeShape.Level l = leaves(seq);
    System.out.printf("ascending: %d leaves, fill min %.2f avg %.2f max %.2f%n", l.nodes(), l.minFill(), l.avgFill(), l.maxFill());
    assertTrue(l.avgFill() >= 0.9, "leaves " + l.avgFill() + " full on average after an ascending load");

    // The keys stop ascending: odd keys in between, in random order, and overwrites.
    long seed = System.nanoTime();
    System.out.println("SequentialLoadShapeTest seed " + seed);
    Random r = new Random(seed);
    try (Database db = Database.open(dir, options())) {
      Tree t = db.tree("t");
      for (int j = 0; j < 5_000; j++) {
        long i = r.nextInt(2 * n + 100);
        t.put(key(i), value(i, 1));
        model.put(key(i), value(i, 1));
      }
      for (long i = 2L * n + 100; i < 2L * n + 3000; i++) { // ascending again
        t.put(key(i), value(i, 2));
        model.put(key(i), value(i, 2));
      }
      int seen = 0;
      try (Cursor c = t.cursor()) {
        boolean has = c.first();
        for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
          assertTrue(has, "seed " + seed + ": ends before " + seen + " entries");
          assertArrayEquals(e.getKey(), c.key(), "seed " + seed);
          assertArrayEquals(e.getValue(), c.value(), "seed " + seed);
          seen++;
          has = c.next();
        }
        assertTrue(!has, "seed " + seed + ": more entries than written");
      }
      assertEquals(model.size(), seen);
    }
    assertTrue(leaves(Inspect.tree(dir, "t")).nodes() > l.nodes());
  }
}
