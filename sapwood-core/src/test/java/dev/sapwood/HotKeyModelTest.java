package dev.sapwood;

import static dev.sapwood.TestUtil.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot keys against a model: a few keys take most of the writes — blind updates that fold in the
 * buffers (ADD_LONG, PUT_IF_ABSENT, a user function that combines), updates that do not (APPEND),
 * puts and deletes — among range deletes and range updates, with snapshots held across them,
 * checkpoints and reopens, on tiny nodes so that flushes fold messages in the lower buffers too.
 * Every read (now, and at each held snapshot) is checked against the model; the seed is printed.
 */
class HotKeyModelTest {
  private static final int HOT = 6;
  private static final int KEYS = 400;

  /** XOR with an 8-byte argument (absent counts as zero; a stored value not 8 bytes fails): combines. */
  static final UpdateFunction XOR8 = new Xor8Function("test.hot_xor8");

  private record Held(Snapshot snap, TreeMap<byte[], byte[]> model) {}

  @Test
  void hotKeysReadWhatTheModelSays(@TempDir Path dir) {
    long seed = Long.getLong("sapwood.hotkey.seed", System.nanoTime()); // replay: -Dsapwood.hotkey.seed=N
    System.out.println("HotKeyModelTest seed=" + seed);
    try {
      run(new Random(seed), dir, 12_000);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
    }
  }

  private static Options options() {
    return Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4).cacheSize(256 << 10)
        .compression(Compression.NONE).register(XOR8);
  }

  private static byte[] key(int i) {
    return String.format("k%04d", i).getBytes(StandardCharsets.UTF_8);
  }

  /** Mostly one of the hot keys. */
  private static byte[] pick(Random rnd) {
    return key(rnd.nextInt(4) != 0 ? rnd.nextInt(HOT) : rnd.nextInt(KEYS));
  }

  private static byte[] longBytes(Random rnd) {
    return UpdateFunctions.fromLong(rnd.nextInt(2001) - 1000);
  }

  /** Applies an update to the model as the database must: a failing update leaves the value. */
  private static void applyUpdate(TreeMap<byte[], byte[]> model, byte[] k, UpdateFunction fn, byte[] arg) {
    byte[] res;
    try {
      res = fn.apply(k, model.get(k), arg);
    } catch (RuntimeException skipped) {
      return;
    }
    if (res == null) {
      model.remove(k);
    } else if (res.length <= Limits.MAX_VALUE_SIZE) {
      model.put(k, res);
    }
  }

  private void run(Random rnd, Path dir, int ops) {
    TreeMap<byte[], byte[]> model = TestUtil.newModel();
    List<Held> held = new ArrayList<>();
    long combinedBefore = 0; // the counter restarts with each open
    Database db = Database.open(dir, options());
    try {
      Tree tree = db.tree("t");
      for (int op = 0; op < ops; op++) {
        int r = rnd.nextInt(1000);
        byte[] k = pick(rnd);
        if (r < 350) {
          byte[] arg = longBytes(rnd);
          tree.update(k, UpdateFunctions.ADD_LONG, arg);
          applyUpdate(model, k, UpdateFunctions.ADD_LONG, arg);
        } else if (r < 450) {
          byte[] arg = longBytes(rnd);
          tree.update(k, XOR8, arg);
          applyUpdate(model, k, XOR8, arg);
        } else if (r < 500) {
          byte[] arg = ("a" + (op % 10)).getBytes(StandardCharsets.UTF_8);
          UpdateFunction fn = rnd.nextBoolean() ? UpdateFunctions.APPEND : UpdateFunctions.PUT_IF_ABSENT;
          tree.update(k, fn, arg);
          applyUpdate(model, k, fn, arg);
        } else if (r < 600) {
          byte[] v = rnd.nextInt(3) == 0 ? ("v" + op).getBytes(StandardCharsets.UTF_8) : longBytes(rnd);
          tree.put(k, v);
          model.put(k, v);
        } else if (r < 640) {
          tree.delete(k);
          model.remove(k);
        } else if (r < 650) {
          int a = rnd.nextInt(KEYS);
          byte[] from = key(a);
          byte[] to = key(a + 1 + rnd.nextInt(20));
          tree.deleteRange(from, to);
          model.subMap(from, true, to, false).clear();
        } else if (r < 660) {
          int a = rnd.nextInt(KEYS);
          byte[] from = key(a);
          byte[] to = key(a + 1 + rnd.nextInt(20));
          byte[] arg = longBytes(rnd);
          tree.updateRange(from, to, UpdateFunctions.ADD_LONG, arg);
          for (byte[] key : new ArrayList<>(model.subMap(from, true, to, false).keySet())) {
            applyUpdate(model, key, UpdateFunctions.ADD_LONG, arg);
          }
        } else if (r < 680) {
          if (held.size() < 4) {
            held.add(new Held(db.snapshot(), new TreeMap<>(model)));
          }
        } else if (r < 690) {
          if (!held.isEmpty()) {
            Held h = held.remove(rnd.nextInt(held.size()));
            checkAll(h.snap, tree, h.model, "closing snapshot");
            h.snap.close();
          }
        } else if (r < 694) {
          db.checkpoint();
        } else if (r < 696) {
          for (Held h : held) {
            h.snap.close();
          }
          held.clear();
          combinedBefore += db.stats().get("tree.messages_combined");
          db.close();
          db = Database.open(dir, options());
          tree = db.tree("t");
        } else if (r < 697) {
          TestUtil.assertScansEqual(tree, model, "op " + op);
        }
        byte[] probe = pick(rnd);
        assertArrayEquals(model.get(probe), tree.get(probe), "op " + op + ": get " + hex(probe));
        if (!held.isEmpty()) {
          Held h = held.get(rnd.nextInt(held.size()));
          assertArrayEquals(h.model.get(probe), h.snap.get(tree, probe), "op " + op + ": snapshot get " + hex(probe));
        }
      }
      TestUtil.assertScansEqual(tree, model, "end");
      TestUtil.assertGetsEqual(tree, model, "end");
      assertTrue(combinedBefore + db.stats().get("tree.messages_combined") > 0, "nothing was combined");
    } finally {
      for (Held h : held) {
        h.snap.close();
      }
      db.close();
    }
  }

  private static void checkAll(Snapshot s, Tree tree, TreeMap<byte[], byte[]> model, String context) {
    for (int i = 0; i < KEYS; i++) {
      byte[] k = key(i);
      assertArrayEquals(model.get(k), s.get(tree, k), context + ": " + hex(k));
    }
  }
}
