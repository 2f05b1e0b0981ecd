package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Snapshot;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Random puts, deletes, range deletes, updates and range updates against a {@link TreeMap} model,
 * over a tree of small nodes whose leaves take most flushes into their deltas (with ratios up to 16,
 * deltas of many segments consolidated at the segment cap): point reads,
 * cursors both ways and snapshots (read while writes go on, so consolidations record the versions
 * they need) all agree with the model, across checkpoints, evictions (a cache a few nodes large,
 * so deltas are written alone, dropped, peeked and fetched again) and reopens. Prints its seed.
 */
class LeafDeltaModelTest {
  private static final Path DIR = Path.of("/db");
  private static final int KEYS = 3000;

  private static Options options(long cache, double ratio) {
    return Options.defaults().nodeSize(8 << 10).basementSize(1 << 10).fanout(4).cacheSize(cache)
        .checkpointInterval(Duration.ofDays(1)).leafDeltaRatio(ratio);
  }

  private static byte[] key(int i) {
    return String.format("k%06d", i).getBytes();
  }

  private static byte[] value(Random r) {
    byte[] v = new byte[8 + r.nextInt(60)];
    r.nextBytes(v);
    return v;
  }

  /** A snapshot with the model as it was when the snapshot was taken. */
  private record Snap(Snapshot snapshot, TreeMap<byte[], byte[]> model) {}

  /**
   * A ratio above 1 lets a leaf's delta collect several segments (each write-back of new messages
   * adds one) before the segment cap or the ratio makes a flush consolidate them.
   */
  @ParameterizedTest(name = "seed={0} cache={1} ratio={2}")
  @CsvSource({"13001, 96000, 1", "13002, 4000000, 1", "13003, 200000, 1", "13004, 200000, 6", "13005, 96000, 16"})
  void leavesWithDeltasBehaveLikeTheModel(long seed, long cache, double ratio) {
    System.out.println("LeafDeltaModelTest seed " + seed + " cache " + cache + " ratio " + ratio);
    Random r = new Random(seed);
    MemoryFileIo mem = new MemoryFileIo();
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    List<Snap> snaps = new ArrayList<>();
    long appends = 0;
    long consolidations = 0;
    long segments = 0;
    long skips = 0;
    Database db = TestSeams.open(DIR, options(cache, ratio), mem);
    try {
      Tree t = db.tree("t");
      for (int step = 0; step < 30_000; step++) {
        String at = "seed " + seed + " step " + step;
        int op = r.nextInt(100);
        int k = r.nextInt(KEYS);
        if (op < 50) {
          byte[] v = value(r);
          t.put(key(k), v);
          model.put(key(k), v);
        } else if (op < 62) {
          t.delete(key(k));
          model.remove(key(k));
        } else if (op < 70) {
          byte[] arg = new byte[] {(byte) r.nextInt(256), (byte) r.nextInt(256)};
          t.update(key(k), UpdateFunctions.APPEND, arg);
          byte[] old = model.get(key(k));
          model.put(key(k), old == null ? arg : concat(old, arg));
        } else if (op < 71) {
          int hi = Math.min(KEYS, k + 1 + r.nextInt(40));
          t.deleteRange(key(k), key(hi));
          model.subMap(key(k), true, key(hi), false).clear();
        } else if (op < 72) {
          int hi = Math.min(KEYS, k + 1 + r.nextInt(20));
          byte[] arg = new byte[] {(byte) step};
          t.updateRange(key(k), key(hi), UpdateFunctions.APPEND, arg);
          for (Map.Entry<byte[], byte[]> e : model.subMap(key(k), true, key(hi), false).entrySet()) {
            e.setValue(concat(e.getValue(), arg));
          }
        } else if (op < 90) {
          assertArrayEquals(model.get(key(k)), t.get(key(k)), at + ": get " + k);
        } else if (op < 93) {
          checkCursor(t, null, model, k, r.nextBoolean(), at);
        } else if (op < 95) {
          if (snaps.size() < 3) {
            snaps.add(new Snap(db.snapshot(), new TreeMap<>(model)));
          } else {
            Snap s = snaps.remove(r.nextInt(snaps.size()));
            checkSnapshot(t, s, k, at);
            s.snapshot().close();
          }
        } else if (op < 97 && !snaps.isEmpty()) {
          checkSnapshot(t, snaps.get(r.nextInt(snaps.size())), k, at);
        } else if (op == 98 && step % 7 == 0) {
          db.checkpoint();
        } else if (op == 99 && step % 97 == 0 && snaps.isEmpty()) {
          Stats st = db.stats();
          appends += st.get("flush.leaf_delta_appends");
          consolidations += st.get("flush.leaf_consolidations");
          segments += st.get("node_write.deltas");
          skips += st.get("cache.delta_filter_skips");
          db.close();
          db = TestSeams.open(DIR, options(cache, ratio), mem);
          t = db.tree("t");
        }
      }
      Stats st = db.stats();
      appends += st.get("flush.leaf_delta_appends");
      consolidations += st.get("flush.leaf_consolidations");
      segments += st.get("node_write.deltas");
      skips += st.get("cache.delta_filter_skips");
      for (Snap s : snaps) {
        checkSnapshot(t, s, 0, "seed " + seed + " at the end");
        s.snapshot().close();
      }
      checkAll(t, model, "seed " + seed + " at the end");
      db.close();
      db = TestSeams.open(DIR, options(cache, ratio), mem);
      checkAll(db.tree("t"), model, "seed " + seed + " after the last reopen");
      assertTrue(appends > 20, "seed " + seed + ": only " + appends + " flushes appended to a delta");
      assertTrue(consolidations > 5, "seed " + seed + ": only " + consolidations + " consolidations");
      System.out.println("seed " + seed + ": " + appends + " appends, " + segments + " segments written, "
          + consolidations + " consolidations, " + skips + " segments skipped by filter");
      if (ratio > 1) {
        assertTrue(segments > 2 * consolidations, "seed " + seed + ": " + segments + " segments for "
            + consolidations + " consolidations: deltas of several segments were not reached");
        assertTrue(skips > 0, "seed " + seed + ": no get skipped a segment by its filter");
      }
    } finally {
      db.close();
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void checkAll(Tree t, TreeMap<byte[], byte[]> model, String at) {
    try (Cursor c = t.cursor()) {
      int n = 0;
      boolean ok = c.first();
      for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
        assertTrue(ok, at + ": cursor ended before " + new String(e.getKey()));
        assertArrayEquals(e.getKey(), c.key(), at + ": key " + n);
        assertArrayEquals(e.getValue(), c.value(), at + ": value of " + new String(e.getKey()));
        ok = c.next();
        n++;
      }
      assertTrue(!ok, at + ": cursor goes past the model's last key");
    }
    for (int i = 0; i < KEYS; i += 7) {
      assertArrayEquals(model.get(key(i)), t.get(key(i)), at + ": get " + i);
    }
  }

  /** Up to 30 steps of a cursor from key {@code k}, forward or backward, against the model. */
  private static void checkCursor(Tree t, Snapshot s, TreeMap<byte[], byte[]> model, int k, boolean forward, String at) {
    try (Cursor c = s == null ? t.cursor() : s.cursor(t)) {
      boolean ok = c.seek(key(k));
      Map.Entry<byte[], byte[]> e = model.ceilingEntry(key(k));
      assertEquals(e != null, ok, at + ": seek " + k);
      for (int i = 0; i < 30 && e != null; i++) {
        assertTrue(ok, at + ": cursor ended early");
        assertArrayEquals(e.getKey(), c.key(), at + ": cursor key");
        assertArrayEquals(e.getValue(), c.value(), at + ": cursor value of " + new String(e.getKey()));
        e = forward ? model.higherEntry(e.getKey()) : model.lowerEntry(e.getKey());
        ok = forward ? c.next() : c.prev();
        assertEquals(e != null, ok, at + ": cursor step");
      }
    }
  }

  private static void checkSnapshot(Tree t, Snap s, int k, String at) {
    for (int i = k; i < Math.min(KEYS, k + 20); i++) {
      assertArrayEquals(s.model().get(key(i)), s.snapshot().get(t, key(i)), at + ": snapshot get " + i);
    }
    checkCursor(t, s.snapshot(), s.model(), k, true, at + " (snapshot)");
  }
}
