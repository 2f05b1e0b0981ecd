package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sapwood.ConflictException;
import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Isolation;
import dev.sapwood.Options;
import dev.sapwood.Transaction;
import dev.sapwood.KeyRange;
import dev.sapwood.Scan;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.UpdateFunctions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions against a model, interleaved by a seeded scheduler in one thread: up to five open
 * transactions (SNAPSHOT and SERIALIZABLE) read, scan and write while plain writes go on; each
 * commit's outcome (commit or conflict, and its kind) is predicted from the model's history of
 * changes; reads, scans and the committed state are checked; checkpoints happen with transactions
 * open, and the database is reopened now and then. Tiny nodes, so flushes run under the
 * snapshots. The one thing the model cannot predict — two keys sharing a slot of the conflict
 * table ({@link Conflicts}) — is allowed only when such a key was written after the snapshot.
 *
 * <p>Range writes take part on both sides: transactions and plain writers delete ranges and
 * update ranges (and everything) with a function that may delete; a transaction's reads (get,
 * cursors in both directions, scans) see them applied over its snapshot and its own earlier
 * writes in order; once committed, a range write conflicts with every transaction that put or
 * deleted, read (SERIALIZABLE) or scanned (SERIALIZABLE) a key of its range after a snapshot
 * taken before it; a transaction's own range writes are blind.
 */
class TransactionModelTest {
  private static final int KEYS = 150;

  /** A committed change: point (to == null) or range, at clock {@code at}. */
  private record Change(byte[] from, byte[] to, long at) {}

  /** Past every key of the test: the end of an {@code updateAll} in the history. */
  private static final byte[] TOP = {(byte) 0xFF};

  /**
   * Appends its one-byte argument, or deletes the value if it already ends with that byte: range
   * updates with it both rewrite and delete.
   */
  static final UpdateFunction TOGGLE = new UpdateFunction() {
    @Override
    public String name() {
      return "test.toggle";
    }

    @Override
    public byte[] apply(byte[] key, byte[] old, byte[] arg) {
      return toggle(old, arg[0]);
    }

    @Override
    public void checkArgument(byte[] arg) {
      if (arg.length != 1) {
        throw new IllegalArgumentException("one byte");
      }
    }
  };

  static byte[] toggle(byte[] old, byte c) {
    if (old == null) {
      return new byte[] {c};
    }
    if (old.length > 0 && old[old.length - 1] == c) {
      return null;
    }
    byte[] out = Arrays.copyOf(old, old.length + 1);
    out[old.length] = c;
    return out;
  }

  /** What a range update with {@link #TOGGLE} does to the keys of {@code range} in a model. */
  static void toggleRange(NavigableMap<byte[], byte[]> range, byte c) {
    for (Iterator<Map.Entry<byte[], byte[]>> it = range.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<byte[], byte[]> e = it.next();
      byte[] v = toggle(e.getValue(), c);
      if (v == null) {
        it.remove();
      } else {
        e.setValue(v);
      }
    }
  }

  private static final class Open {
    Transaction tx;
    Isolation iso;
    long snapshot;
    TreeMap<byte[], byte[]> view; // snapshot plus own writes
    List<byte[]> wrote = new ArrayList<>(); // point puts and deletes
    List<byte[][]> ranges = new ArrayList<>(); // range deletes and range updates (blind)
    List<byte[]> updated = new ArrayList<>();
    List<byte[]> read = new ArrayList<>();
    List<byte[][]> scanned = new ArrayList<>();
    List<Runnable> apply = new ArrayList<>(); // its writes, to apply to the model at commit
  }

  static byte[] key(int i) {
    return String.format("k%04d", i).getBytes(StandardCharsets.US_ASCII);
  }

  private static TreeMap<byte[], byte[]> model() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  @ParameterizedTest
  @ValueSource(longs = {0x7A_0001L, 0x7A_0002L, 0x7A_0003L})
  void transactionsBehaveLikeTheModel(long seed, @TempDir Path dir) {
    try {
      run(seed, dir, 3000);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("seed 0x" + Long.toHexString(seed) + ": " + e.getMessage(), e);
    }
  }

  private void run(long seed, Path dir, int steps) {
    Random rnd = new Random(seed);
    Options opts = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4).cacheSize(512 << 10)
        .register(TOGGLE);
    Database db = Database.open(dir, opts);
    Tree t = db.tree("t");
    int treeId = ((TreeImpl) t).id();
    TreeMap<byte[], byte[]> committed = model();
    List<Change> history = new ArrayList<>();
    long[] clock = {0};
    List<Open> open = new ArrayList<>();
    Map<String, Integer> outcomes = new HashMap<>();
    for (int step = 0; step < steps; step++) {
      int r = rnd.nextInt(100);
      if (r < 8 && open.size() < 5) {
        Open o = new Open();
        o.iso = rnd.nextBoolean() ? Isolation.SNAPSHOT : Isolation.SERIALIZABLE;
        o.tx = db.begin(o.iso);
        o.snapshot = clock[0];
        o.view = new TreeMap<>(committed);
        open.add(o);
      } else if (r < 45 && !open.isEmpty()) {
        Open o = open.get(rnd.nextInt(open.size()));
        byte[] k = key(rnd.nextInt(KEYS));
        int w = rnd.nextInt(12);
        if (w < 4) {
          byte[] v = ("v" + step).getBytes(StandardCharsets.US_ASCII);
          o.tx.put(t, k, v);
          o.view.put(k, v);
          o.wrote.add(k);
          o.apply.add(() -> committed.put(k, v));
        } else if (w < 6) {
          o.tx.delete(t, k);
          o.view.remove(k);
          o.wrote.add(k);
          o.apply.add(() -> committed.remove(k));
        } else if (w < 9) {
          o.tx.update(t, k, UpdateFunctions.APPEND, new byte[] {'+'});
          o.view.put(k, append(o.view.get(k)));
          o.updated.add(k);
          o.apply.add(() -> committed.put(k, append(committed.get(k))));
        } else if (w < 10) {
          byte[] to = rangeEnd(k, rnd);
          o.tx.deleteRange(t, k, to);
          if (Arrays.compareUnsigned(k, to) < 0) {
            o.view.subMap(k, true, to, false).clear();
            o.ranges.add(new byte[][] {k, to});
            o.apply.add(() -> committed.subMap(k, true, to, false).clear());
          }
        } else {
          boolean all = rnd.nextInt(8) == 0;
          byte[] from = all ? new byte[0] : k;
          byte[] to = all ? TOP : rangeEnd(k, rnd);
          byte c = (byte) "+-".charAt(rnd.nextInt(2));
          if (all) {
            o.tx.updateAll(t, TOGGLE, new byte[] {c});
          } else {
            o.tx.updateRange(t, from, to, TOGGLE, new byte[] {c});
          }
          if (Arrays.compareUnsigned(from, to) < 0) {
            toggleRange(o.view.subMap(from, true, to, false), c);
            o.ranges.add(new byte[][] {from, to});
            o.apply.add(() -> toggleRange(committed.subMap(from, true, to, false), c));
          }
        }
      } else if (r < 65 && !open.isEmpty()) {
        Open o = open.get(rnd.nextInt(open.size()));
        int how = rnd.nextInt(12);
        if (how < 7) {
          byte[] k = key(rnd.nextInt(KEYS));
          assertArrayEquals(o.view.get(k), o.tx.get(t, k), "tx get at step " + step);
          o.read.add(k);
        } else if (how == 7) {
          o.scanned.add(scanBackward(o, t, rnd, step));
        } else if (how == 8 && o.iso == Isolation.SNAPSHOT) {
          // A bounded scan looks a little past its end (see Transaction.cursor(Tree, KeyRange)):
          // only where the scanned range is not checked.
          byte[] from = key(rnd.nextInt(KEYS));
          byte[] to = rangeEnd(from, rnd);
          Iterator<Map.Entry<byte[], byte[]>> it = o.view.subMap(from, true, to, false).entrySet().iterator();
          try (Scan sc = o.tx.scan(t, KeyRange.closedOpen(from, to))) {
            for (dev.sapwood.Entry e : sc) {
              assertTrue(it.hasNext(), "tx scan: extra key at step " + step);
              Map.Entry<byte[], byte[]> m = it.next();
              assertArrayEquals(m.getKey(), e.key(), "tx scan key at step " + step);
              assertArrayEquals(m.getValue(), e.value(), "tx scan value at step " + step);
            }
          }
          assertFalse(it.hasNext(), "tx scan ended early at step " + step);
        } else {
          byte[] from = key(rnd.nextInt(KEYS));
          int n = 1 + rnd.nextInt(12);
          Iterator<Map.Entry<byte[], byte[]>> it = o.view.tailMap(from, true).entrySet().iterator();
          byte[] hi; // where the cursor stopped: it saw every key below, and the one it is on
          try (Cursor c = o.tx.cursor(t)) {
            boolean ok = c.seek(from);
            for (int i = 0; i < n && ok; i++) {
              assertTrue(it.hasNext(), "tx scan at step " + step);
              Map.Entry<byte[], byte[]> e = it.next();
              assertArrayEquals(e.getKey(), c.key(), "tx scan key at step " + step);
              assertArrayEquals(e.getValue(), c.value(), "tx scan value at step " + step);
              ok = c.next();
            }
            if (!ok) {
              assertFalse(it.hasNext(), "tx scan ended early at step " + step);
            }
            hi = ok ? Arrays.copyOf(c.key(), c.key().length + 1) : null;
          }
          o.scanned.add(new byte[][] {from, hi});
        }
      } else if (r < 80 && !open.isEmpty()) {
        Open o = open.remove(rnd.nextInt(open.size()));
        if (rnd.nextInt(6) == 0) {
          o.tx.rollback();
          continue;
        }
        String expected = predict(o, history);
        String got;
        try {
          o.tx.commit();
          got = "commit";
        } catch (ConflictException e) {
          got = e.kind().name();
        }
        if (!got.equals(expected)) {
          assertTrue(!got.equals("commit") && collides(o, history, treeId),
              "step " + step + ": predicted " + expected + ", got " + got);
        }
        outcomes.merge(got, 1, Integer::sum);
        if (got.equals("commit")) {
          o.apply.forEach(Runnable::run);
          long at = ++clock[0];
          for (byte[] k : o.wrote) {
            history.add(new Change(k, null, at));
          }
          for (byte[] k : o.updated) {
            history.add(new Change(k, null, at));
          }
          for (byte[][] g : o.ranges) {
            history.add(new Change(g[0], g[1], at));
          }
        }
      } else if (r < 93) {
        byte[] k = key(rnd.nextInt(KEYS));
        byte[] v = ("p" + step).getBytes(StandardCharsets.US_ASCII);
        t.put(k, v);
        committed.put(k, v);
        history.add(new Change(k, null, ++clock[0]));
      } else if (r < 95) {
        byte[] from = key(rnd.nextInt(KEYS));
        byte[] to = rangeEnd(from, rnd);
        if (rnd.nextBoolean()) {
          t.deleteRange(from, to);
          committed.subMap(from, true, to, false).clear();
        } else {
          byte c = (byte) "+-".charAt(rnd.nextInt(2));
          t.updateRange(from, to, TOGGLE, new byte[] {c});
          toggleRange(committed.subMap(from, true, to, false), c);
        }
        history.add(new Change(from, to, ++clock[0]));
      } else if (r < 98) {
        db.checkpoint();
      } else if (r < 99) {
        for (Open o : open) {
          o.tx.rollback();
        }
        open.clear();
        db.close();
        db = Database.open(dir, opts);
        t = db.tree("t");
      } else {
        checkAll(db, t, committed, step);
      }
    }
    for (Open o : open) {
      o.tx.close();
    }
    checkAll(db, t, committed, steps);
    assertTrue(outcomes.getOrDefault("commit", 0) > 50, "commits: " + outcomes);
    assertTrue(outcomes.getOrDefault("WRITE_WRITE", 0) > 0, "write-write conflicts: " + outcomes);
    assertTrue(outcomes.getOrDefault("READ_WRITE", 0) + outcomes.getOrDefault("RANGE", 0) > 0,
        "SERIALIZABLE conflicts: " + outcomes);
    db.close();
  }

  private static void checkAll(Database db, Tree t, TreeMap<byte[], byte[]> committed, int step) {
    try (Cursor c = t.cursor()) {
      Iterator<Map.Entry<byte[], byte[]>> it = committed.entrySet().iterator();
      for (boolean ok = c.first(); ok; ok = c.next()) {
        assertTrue(it.hasNext(), "extra key at step " + step);
        Map.Entry<byte[], byte[]> e = it.next();
        assertArrayEquals(e.getKey(), c.key(), "committed key at step " + step);
        assertArrayEquals(e.getValue(), c.value(), "committed value at step " + step);
      }
      assertFalse(it.hasNext(), "missing keys at step " + step);
    }
  }

  private static byte[] append(byte[] old) {
    byte[] o = old == null ? new byte[0] : old;
    byte[] out = Arrays.copyOf(o, o.length + 1);
    out[o.length] = '+';
    return out;
  }

  /** What the model says commit must do. */
  private static String predict(Open o, List<Change> history) {
    for (byte[] k : o.wrote) {
      for (Change c : history) {
        if (c.at > o.snapshot && covers(c, k)) { // a range write is a write of every key of its range
          return "WRITE_WRITE";
        }
      }
    }
    if (o.iso == Isolation.SNAPSHOT) {
      return "commit";
    }
    for (byte[] k : o.read) {
      for (Change c : history) {
        if (c.at > o.snapshot && covers(c, k)) {
          return "READ_WRITE";
        }
      }
    }
    for (byte[][] s : o.scanned) {
      for (Change c : history) {
        if (c.at > o.snapshot && overlaps(c, s[0], s[1])) {
          return "RANGE";
        }
      }
    }
    return "commit";
  }

  private static boolean covers(Change c, byte[] k) {
    return c.to == null ? Arrays.equals(c.from, k)
        : Arrays.compareUnsigned(c.from, k) <= 0 && Arrays.compareUnsigned(k, c.to) < 0;
  }

  private static boolean overlaps(Change c, byte[] lo, byte[] hi) {
    byte[] cHi = c.to == null ? Arrays.copyOf(c.from, c.from.length + 1) : c.to;
    return (hi == null || Arrays.compareUnsigned(c.from, hi) < 0) && (lo == null || Arrays.compareUnsigned(lo, cHi) < 0);
  }

  /** An end for a range from {@code k}: up to 8 keys on, sometimes empty. */
  private static byte[] rangeEnd(byte[] k, Random rnd) {
    return key(Math.min(KEYS, Integer.parseInt(new String(k, 1, 4, StandardCharsets.US_ASCII)) + rnd.nextInt(8)));
  }

  /**
   * A backward walk of the transaction's cursor from its last key, checked against its view;
   * returns the range it scanned: [the key it stopped on, or null if it ran off the start, end).
   */
  private static byte[][] scanBackward(Open o, Tree t, Random rnd, int step) {
    int n = 1 + rnd.nextInt(12);
    Iterator<Map.Entry<byte[], byte[]>> it = o.view.descendingMap().entrySet().iterator();
    try (Cursor c = o.tx.cursor(t)) {
      boolean ok = c.last();
      for (int i = 0; i < n && ok; i++) {
        assertTrue(it.hasNext(), "tx backward scan at step " + step);
        Map.Entry<byte[], byte[]> e = it.next();
        assertArrayEquals(e.getKey(), c.key(), "tx backward scan key at step " + step);
        assertArrayEquals(e.getValue(), c.value(), "tx backward scan value at step " + step);
        ok = c.prev();
      }
      if (!ok) {
        assertFalse(it.hasNext(), "tx backward scan ended early at step " + step);
      }
      return new byte[][] {ok ? c.key() : null, null};
    }
  }

  /** Whether a key written after the snapshot shares a conflict-table slot with one the transaction wrote or read. */
  private static boolean collides(Open o, List<Change> history, int treeId) {
    List<byte[]> mine = new ArrayList<>(o.wrote);
    mine.addAll(o.read);
    for (byte[] k : mine) {
      for (Change c : history) {
        if (c.at > o.snapshot && c.to == null && !Arrays.equals(c.from, k)
            && Conflicts.slot(treeId, c.from) == Conflicts.slot(treeId, k)) {
          return true;
        }
      }
    }
    return false;
  }
}
