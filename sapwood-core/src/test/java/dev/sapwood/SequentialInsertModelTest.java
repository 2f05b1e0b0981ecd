package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.tools.Inspect;
import dev.sapwood.internal.tools.TreeShape;
import dev.sapwood.internal.tools.Verifier;
import dev.sapwood.internal.util.BigEndian;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TokuFT's sequential-insert heuristic (puts at the right edge straight into the rightmost leaf)
 * against a model: an ascending load that switches to random and descending keys and back, with
 * deletes, range deletes and snapshots interleaved, reads what the model holds, and each snapshot
 * what the model held when it opened. The ascending phase is promoted and leaves full leaves.
 */
class SequentialInsertModelTest {
  private static Options options() {
    return Options.defaults().nodeSize(16 << 10).basementSize(1 << 10).cacheSize(64 << 20).durability(Durability.NONE);
  }

  private static byte[] key(long i) {
    byte[] k = new byte[16];
    BigEndian.putLong(k, 8, i);
    return k;
  }

  private static byte[] value(long i, int salt) {
    byte[] v = new byte[20 + (int) ((i * 7 + salt) % 90)];
    Arrays.fill(v, (byte) (i + salt));
    return v;
  }

  private record Snap(Snapshot snapshot, TreeMap<byte[], byte[]> model) {}

  @Test
  void anAscendingLoadThatStopsAscendingReadsAsTheModel(@TempDir Path dir) {
    long seed = System.nanoTime();
    System.out.println("SequentialInsertModelTest seed " + seed);
    Random r = new Random(seed);
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    List<Snap> snaps = new ArrayList<>();
    try (Database db = Database.open(dir, options())) {
      Tree t = db.tree("t");
      long next = 0;
      for (; next < 4_000; next++) { // ascending only: promoted, left-heavy
        put(t, model, next, 0);
      }
      assertEquals(4_000, db.stats().get("insert.promoted"), "seed " + seed);
      int salt = 1;
      for (int phase = 0; phase < 8; phase++, salt++) {
        int kind = r.nextInt(4);
        int ops = 200 + r.nextInt(800);
        for (int j = 0; j < ops; j++) {
          int roll = r.nextInt(100);
          if (roll < 2 && snaps.size() < 6) {
            snaps.add(new Snap(db.snapshot(), new TreeMap<>(model)));
          } else if (roll < 5) {
            long k = r.nextInt((int) next + 10);
            t.delete(key(k));
            model.remove(key(k));
          } else if (roll < 6) {
            long from = r.nextInt((int) next + 10);
            long to = from + r.nextInt(50);
            t.deleteRange(key(from), key(to));
            model.subMap(key(from), key(to)).clear();
          } else if (kind == 0 || kind == 1) { // ascending, as at the start
            put(t, model, next++, salt);
          } else if (kind == 2) { // random keys below and beyond the edge
            put(t, model, r.nextInt((int) next + 100), salt);
          } else { // descending from the edge
            put(t, model, Math.max(0, next - 1 - j), salt);
          }
          if (r.nextInt(200) == 0 && !snaps.isEmpty()) {
            Snap s = snaps.remove(r.nextInt(snaps.size()));
            check(t, s.snapshot(), s.model(), seed);
            s.snapshot().close();
          }
        }
        check(t, null, model, seed);
      }
      for (Snap s : snaps) {
        check(t, s.snapshot(), s.model(), seed);
        s.snapshot().close();
      }
      for (int j = 0; j < 100; j++) {
        long k = r.nextInt((int) next + 100);
        assertArrayEquals(model.get(key(k)), t.get(key(k)), "seed " + seed + " key " + k);
      }
    }
    assertTrue(Verifier.verify(dir, null).ok(), "seed " + seed + ": the file verifies");
  }

  @Test
  void anAscendingLoadIsPromotedAndLeavesFullLeaves(@TempDir Path dir) {
    try (Database db = Database.open(dir, options())) {
      Tree t = db.tree("t");
      for (long i = 0; i < 20_000; i++) {
        t.put(key(i), value(i, 0));
      }
      assertEquals(20_000, db.stats().get("insert.promoted"));
      assertTrue(db.stats().get("split.leaf_left_heavy") > 0, "no left-heavy split");
      assertEquals(db.stats().get("split.leaf"), db.stats().get("split.leaf_left_heavy"));
      assertEquals(0, db.stats().get("flush.total"), "an ascending load needed a flush");
    }
    assertTrue(Verifier.verify(dir, null).ok(), "the file verifies (no node's max MSN above its parent's)");
    TreeShape.Level leaves = Inspect.tree(dir, "t").levels().stream().filter(l -> l.height() == 0).findFirst().orElseThrow();
    System.out.printf("promoted ascending load: %d leaves, fill min %.2f avg %.2f max %.2f%n",
        leaves.nodes(), leaves.minFill(), leaves.avgFill(), leaves.maxFill());
    assertTrue(leaves.avgFill() >= 0.9, "leaves " + leaves.avgFill() + " full on average");
  }

  private static void put(Tree t, TreeMap<byte[], byte[]> model, long k, int salt) {
    t.put(key(k), value(k, salt));
    model.put(key(k), value(k, salt));
  }

  /** The tree (or the snapshot, if not null) holds exactly {@code model}. */
  private static void check(Tree t, Snapshot s, TreeMap<byte[], byte[]> model, long seed) {
    int seen = 0;
    try (Cursor c = s == null ? t.cursor() : s.cursor(t)) {
      boolean has = c.first();
      for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
        assertTrue(has, "seed " + seed + ": ends after " + seen + " entries");
        assertArrayEquals(e.getKey(), c.key(), "seed " + seed + " entry " + seen);
        assertArrayEquals(e.getValue(), c.value(), "seed " + seed + " entry " + seen);
        seen++;
        has = c.next();
      }
      assertFalse(has, "seed " + seed + ": more entries than the model");
    }
  }
}
