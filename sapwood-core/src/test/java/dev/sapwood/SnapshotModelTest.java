package dev.sapwood;

import static dev.sapwood.TestUtil.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Snapshots against a model: random writes (puts, deletes, updates, range deletes, batches) on two
 * trees with tiny nodes and a small cache, so flushes, splits, merges and evictions happen under
 * open snapshots; each snapshot is checked (gets, scans both ways, seeks) against a copy of the
 * model taken with it, across checkpoints and a compaction (which drains every buffer into the
 * leaves). The seed is printed on failure.
 */
class SnapshotModelTest {
  private static final int KEYS = 1500;

  private record Held(Snapshot snap, List<TreeMap<byte[], byte[]>> models, int takenAt) {}

  @ParameterizedTest
  @ValueSource(longs = {0x5A9_1201L, 0x5A9_1202L, 0x5A9_1203L})
  void snapshotsReadExactlyWhatWasCommittedBeforeThem(long seed, @TempDir Path dir) {
    try {
      run(seed, dir, 8_000);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("seed 0x" + Long.toHexString(seed) + ": " + e.getMessage(), e);
    }
  }

  private void run(long seed, Path dir, int ops) {
    Random rnd = new Random(seed);
    try (Database db = Database.open(dir, RandomizedModelTest.shape(256 << 10, Compression.NONE))) {
      Tree[] trees = {db.tree("a"), db.tree("b")};
      List<TreeMap<byte[], byte[]>> models = List.of(TestUtil.newModel(), TestUtil.newModel());
      List<Held> held = new ArrayList<>();
      for (int op = 0; op < ops; op++) {
        int t = rnd.nextInt(2);
        Tree tree = trees[t];
        TreeMap<byte[], byte[]> model = models.get(t);
        int r = rnd.nextInt(1000);
        if (r < 550) {
          byte[] k = key(rnd.nextInt(KEYS));
          byte[] v = value(rnd, op);
          tree.put(k, v);
          model.put(k, v);
        } else if (r < 700) {
          byte[] k = key(rnd.nextInt(KEYS));
          tree.delete(k);
          model.remove(k);
        } else if (r < 820) {
          byte[] k = key(rnd.nextInt(KEYS));
          byte[] arg = rnd.nextInt(10) == 0 ? new byte[0] : value(rnd, op);
          tree.update(k, RandomizedModelTest.XOR_OR_DELETE, arg);
          byte[] res = RandomizedModelTest.XOR_OR_DELETE.apply(k, model.get(k), arg);
          if (res == null) {
            model.remove(k);
          } else {
            model.put(k, res);
          }
        } else if (r < 830) {
          int a = rnd.nextInt(KEYS);
          int b = a + rnd.nextInt(60);
          tree.deleteRange(key(a), key(b));
          model.subMap(key(a), true, key(b), false).clear();
        } else if (r < 860) {
          WriteBatch batch = new WriteBatch();
          for (int i = 0; i < 1 + rnd.nextInt(20); i++) {
            int bt = rnd.nextInt(2);
            byte[] k = key(rnd.nextInt(KEYS));
            if (rnd.nextInt(4) == 0) {
              batch.delete(trees[bt], k);
              models.get(bt).remove(k);
            } else {
              byte[] v = value(rnd, op);
              batch.put(trees[bt], k, v);
              models.get(bt).put(k, v);
            }
          }
          db.write(batch);
        } else if (r < 880) {
          if (held.size() < 5) {
            held.add(new Held(db.snapshot(), List.of(copy(models.get(0)), copy(models.get(1))), op));
          }
        } else if (r < 895) {
          if (!held.isEmpty()) {
            Held h = held.remove(rnd.nextInt(held.size()));
            check(h, trees, rnd, true);
            h.snap.close();
          }
        } else if (r < 990) {
          if (!held.isEmpty()) {
            check(held.get(rnd.nextInt(held.size())), trees, rnd, false);
          }
        } else if (r < 996) {
          db.checkpoint();
        } else if (r < 999) {
          db.sync();
        } else {
          db.compact();
        }
      }
      for (Held h : held) {
        check(h, trees, rnd, true);
        h.snap.close();
      }
      assertEquals(0, db.stats().get("versions.retained"), "versions left once every snapshot closed");
      assertEquals(0, db.stats().get("snapshots.open"));
    }
  }

  private static void check(Held h, Tree[] trees, Random rnd, boolean full) {
    for (int t = 0; t < trees.length; t++) {
      TreeMap<byte[], byte[]> model = h.models.get(t);
      String ctx = "snapshot taken at op " + h.takenAt + ", tree " + trees[t].name();
      for (int i = 0; i < 30; i++) {
        byte[] k = key(rnd.nextInt(KEYS));
        assertArrayEquals(model.get(k), h.snap.get(trees[t], k), ctx + ": get " + hex(k));
      }
      if (full) {
        assertCursorEquals(h.snap.cursor(trees[t]), model, ctx);
      }
      try (Cursor c = h.snap.cursor(trees[t])) {
        byte[] k = key(rnd.nextInt(KEYS));
        Map.Entry<byte[], byte[]> e = model.ceilingEntry(k);
        assertEquals(e != null, c.seek(k), ctx + ": seek " + hex(k));
        for (int i = 0; i < 40 && e != null; i++) {
          assertArrayEquals(e.getKey(), c.key(), ctx + ": key after seek");
          assertArrayEquals(e.getValue(), c.value(), ctx + ": value after seek");
          e = model.higherEntry(e.getKey());
          assertEquals(e != null, c.next(), ctx + ": next after seek");
        }
      }
    }
  }

  static void assertCursorEquals(Cursor c, NavigableMap<byte[], byte[]> model, String ctx) {
    try (c) {
      Iterator<Map.Entry<byte[], byte[]>> fwd = model.entrySet().iterator();
      for (boolean ok = c.first(); ok; ok = c.next()) {
        assertTrue(fwd.hasNext(), () -> ctx + ": forward scan returned extra key " + hex(c.key()));
        Map.Entry<byte[], byte[]> e = fwd.next();
        assertArrayEquals(e.getKey(), c.key(), () -> ctx + ": forward key, expected " + hex(e.getKey()));
        assertArrayEquals(e.getValue(), c.value(), () -> ctx + ": forward value of " + hex(e.getKey()));
      }
      assertFalse(fwd.hasNext(), () -> ctx + ": forward scan ended early; missing " + hex(fwd.next().getKey()));
      Iterator<Map.Entry<byte[], byte[]>> bwd = model.descendingMap().entrySet().iterator();
      for (boolean ok = c.last(); ok; ok = c.prev()) {
        assertTrue(bwd.hasNext(), () -> ctx + ": backward scan returned extra key " + hex(c.key()));
        Map.Entry<byte[], byte[]> e = bwd.next();
        assertArrayEquals(e.getKey(), c.key(), () -> ctx + ": backward key, expected " + hex(e.getKey()));
        assertArrayEquals(e.getValue(), c.value(), () -> ctx + ": backward value of " + hex(e.getKey()));
      }
      assertFalse(bwd.hasNext(), () -> ctx + ": backward scan ended early; missing " + hex(bwd.next().getKey()));
    }
  }

  @Test
  void aSnapshotIsUnchangedByLaterWritesAndSeesEveryEarlierOne(@TempDir Path dir) {
    try (Database db = Database.open(dir, RandomizedModelTest.shape(8 << 20, Compression.NONE))) {
      Tree t = db.tree("t");
      t.put(key(1), "one".getBytes(StandardCharsets.UTF_8));
      try (Snapshot s = db.snapshot()) {
        t.put(key(1), "uno".getBytes(StandardCharsets.UTF_8));
        t.put(key(2), "two".getBytes(StandardCharsets.UTF_8));
        db.compact(); // every message reaches the leaves while the snapshot is open
        assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), s.get(t, key(1)));
        assertEquals(null, s.get(t, key(2)));
        assertArrayEquals("uno".getBytes(StandardCharsets.UTF_8), t.get(key(1)));
      }
    }
  }

  static TreeMap<byte[], byte[]> copy(TreeMap<byte[], byte[]> m) {
    return new TreeMap<>(m);
  }

  static byte[] key(int i) {
    return String.format("k%06d", i).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] value(Random rnd, int op) {
    byte[] v = new byte[8 + rnd.nextInt(120)];
    rnd.nextBytes(v);
    v[0] = (byte) op;
    return v;
  }
}
