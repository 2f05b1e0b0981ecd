package dev.sapwood;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sapwood.internal.engine.TestSeams;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.ForwardingFileIo;
import dev.sapwood.internal.io.ForwardingIoFile;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.NioFileIo;
import dev.sapwood.internal.tools.Verifier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * One round of {@link ChurnTest}: one database, small nodes (16 KiB, basements 4 KiB, fanout 4)
 * and a tiny cache; for a while, at once:
 *
 * <ul>
 *   <li>{@link #WRITERS} writers, each owning the keys {@code w<t>/<i>} with an exact model:
 *       puts, deletes, range deletes, updates (ADD_LONG on counter keys, PUT_IF_ABSENT on the
 *       others) and multi-change batches; now and then a get checked against the model and a
 *       forward and backward scan of its own key range, and one from a random key of it, that
 *       must equal the model exactly;
 *   <li>{@link #SCANNERS} scanners walking the whole tree forward and backward: keys strictly
 *       ordered (so never twice), every value one some writer really wrote for that key;
 *   <li>a checkpointer calling {@code checkpoint()} back to back, and a compactor calling {@code
 *       compact()} every few hundred milliseconds.
 * </ul>
 *
 * <p>The database runs on the real file system through a file layer whose truncation takes a
 * little longer (about a millisecond, as on a busy disk): races between a checkpoint trimming the
 * file and writers allocating at its end then show within seconds instead of minutes.
 *
 * <p>Values of ordinary keys encode (writer, key, version) and a padding derived from them, so a
 * scanner can tell a value that was written from anything else; counter keys (every 8th) hold 8
 * bytes. Any exception in any thread ends the round and is the failure.
 */
final class Churn {
  static final int WRITERS = 4;
  static final int SCANNERS = 2;
  static final int KEYS = 3_000;

  private final Path dir;
  private final long seed;
  private final Options options;
  private final List<TreeMap<Integer, byte[]>> models = new ArrayList<>();
  private final AtomicLongArray published = new AtomicLongArray(WRITERS);
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final LongAdder ops = new LongAdder();
  private final LongAdder ownScans = new LongAdder();
  private final LongAdder fullScans = new LongAdder();
  private final LongAdder checkpoints = new LongAdder();
  private final LongAdder compactions = new LongAdder();
  private final LongAdder truncations = new LongAdder();
  private final FileIo io = new ForwardingFileIo(new NioFileIo()) {
    @Override
    protected IoFile wrap(IoFile file) {
      return new ForwardingIoFile(file) {
        @Override
        public void truncate(long size) throws IOException {
          truncations.increment();
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          super.truncate(size);
        }
      };
    }
  };

  Churn(Path dir, long seed, long cacheBytes) {
    this.dir = dir;
    this.seed = seed;
    this.options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
        .cacheSize(cacheBytes);
    for (int t = 0; t < WRITERS; t++) {
      models.add(new TreeMap<>());
    }
  }

  String summary() {
    return ops.sum() + " ops, " + ownScans.sum() + " own-range scans, " + fullScans.sum()
        + " full scans, " + checkpoints.sum() + " checkpoints, " + compactions.sum() + " compactions, "
        + truncations.sum() + " truncations";
  }

  static byte[] key(int t, int i) {
    return String.format("w%d/%06d", t, i).getBytes(UTF_8);
  }

  static boolean isCounter(int i) {
    return i % 8 == 0;
  }

  static byte[] value(int t, int i, long version) {
    int len = 16 + Math.floorMod(version * 131 + i * 17L + t, 240);
    ByteBuffer b = ByteBuffer.allocate(len);
    b.putInt(t).putInt(i).putLong(version);
    for (int j = 16; j < len; j++) {
      b.put((byte) (version * 31 + j * 7 + i));
    }
    return b.array();
  }

  /** Null if {@code v} is a value writer t really wrote (or may be writing) for key i, else why not. */
  private String whyInvalid(int t, int i, byte[] v) {
    if (isCounter(i)) {
      return v.length == 8 ? null : "counter of " + v.length + " bytes";
    }
    if (v.length < 16) {
      return "value of " + v.length + " bytes";
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    int vt = b.getInt();
    int vi = b.getInt();
    long version = b.getLong();
    if (vt != t || vi != i) {
      return "value written for writer " + vt + " key " + vi;
    }
    if (version < 1 || version > published.get(t)) {
      return "version " + version + " never written (writer is at " + published.get(t) + ")";
    }
    return Arrays.equals(v, value(t, i, version)) ? null : "value of version " + version + " damaged";
  }

  /**
   * Runs the threads for {@code length}, and on (up to {@code length * 2.5}) until at least {@code
   * minTruncations} truncations happened: on a loaded machine a round does less in the same time,
   * and each truncation is one chance for the race this test was written for.
   */
  void run(Duration length, long minTruncations) throws Exception {
    List<Thread> threads = new ArrayList<>();
    try (Database db = TestSeams.open(dir, options, io)) {
      Tree tree = db.tree("churn");
      for (int t = 0; t < WRITERS; t++) {
        int id = t;
        threads.add(thread("writer-" + t, () -> writer(db, tree, id)));
      }
      for (int s = 0; s < SCANNERS; s++) {
        int id = s;
        threads.add(thread("scanner-" + s, () -> scanner(tree, id)));
      }
      threads.add(thread("checkpointer", () -> {
        SplittableRandom r = new SplittableRandom(seed ^ 0xC0FFEE);
        while (running.get()) {
          db.checkpoint();
          checkpoints.increment();
          Thread.sleep(r.nextInt(3));
        }
      }));
      threads.add(thread("compactor", () -> {
        SplittableRandom r = new SplittableRandom(seed ^ 0xBEEF);
        while (running.get()) {
          Thread.sleep(100 + r.nextInt(400));
          db.compact();
          compactions.increment();
        }
      }));
      threads.forEach(Thread::start);
      long start = System.nanoTime();
      long end = start + length.toNanos();
      long cap = start + length.toNanos() * 5 / 2;
      while (failure.get() == null && System.nanoTime() < cap
          && (System.nanoTime() < end || truncations.sum() < minTruncations)) {
        Thread.sleep(20);
      }
      running.set(false);
      for (Thread th : threads) {
        th.join(120_000);
        if (th.isAlive()) {
          throw new AssertionError(th.getName() + " still running two minutes after the end: "
              + Arrays.toString(th.getStackTrace()));
        }
      }
      if (failure.get() != null) {
        throw new AssertionError("a thread failed", failure.get());
      }
      compare(tree, "after the run");
    }
  }

  void checkAfterReopen() {
    try (Database db = TestSeams.open(dir, options, io)) {
      compare(db.tree("churn"), "after close and reopen");
    }
  }

  void checkVerifier() {
    Verifier.Report report = Verifier.verify(dir, null);
    if (!report.ok()) {
      throw new AssertionError("verifier: " + report.problems());
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  private Thread thread(String name, Body body) {
    Thread th = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        if (failure.compareAndSet(null, e)) {
          e.addSuppressed(new Exception("in thread " + Thread.currentThread().getName()));
        }
        running.set(false);
      }
    }, "churn-" + name);
    th.setDaemon(true);
    return th;
  }

  private void writer(Database db, Tree tree, int t) {
    SplittableRandom r = new SplittableRandom(seed * 31 + t);
    TreeMap<Integer, byte[]> model = models.get(t);
    long version = 0;
    while (running.get()) {
      int i = r.nextInt(KEYS);
      int op = r.nextInt(100);
      if (op < 40) {
        byte[] v = isCounter(i) ? UpdateFunctions.fromLong(r.nextLong()) : value(t, i, ++version);
        published.set(t, version);
        tree.put(key(t, i), v);
        model.put(i, v);
      } else if (op < 52) {
        tree.delete(key(t, i));
        model.remove(i);
      } else if (op < 55) {
        int to = Math.min(KEYS, i + 1 + r.nextInt(60));
        tree.deleteRange(key(t, i), key(t, to));
        model.subMap(i, to).clear();
      } else if (op < 70) {
        update(tree, null, t, i, r.nextInt(1000), ++version, model);
      } else if (op < 82) {
        WriteBatch batch = new WriteBatch();
        TreeMap<Integer, byte[]> after = new TreeMap<>(model);
        int n = 2 + r.nextInt(7);
        for (int k = 0; k < n; k++) {
          int j = r.nextInt(KEYS);
          int kind = r.nextInt(3);
          if (kind == 0) {
            byte[] v = isCounter(j) ? UpdateFunctions.fromLong(r.nextLong()) : value(t, j, ++version);
            published.set(t, version);
            batch.put(tree, key(t, j), v);
            after.put(j, v);
          } else if (kind == 1) {
            batch.delete(tree, key(t, j));
            after.remove(j);
          } else {
            update(tree, batch, t, j, r.nextInt(1000), ++version, after);
          }
        }
        db.write(batch);
        model.clear();
        model.putAll(after);
      } else if (op < 99) {
        byte[] got = tree.get(key(t, i));
        byte[] want = model.get(i);
        if (!Arrays.equals(got, want)) {
          throw new AssertionError("writer " + t + ": get of key " + i + " returned "
              + describe(got) + ", the model says " + describe(want));
        }
      } else {
        scanOwn(tree, t, model, true);
        scanOwn(tree, t, model, false);
        scanOwnFrom(tree, t, model, r.nextInt(KEYS));
        ownScans.increment();
      }
      ops.increment();
    }
  }

  /** An update of key i, into {@code batch} if not null, else straight into the tree; applied to the model. */
  private void update(Tree tree, WriteBatch batch, int t, int i, long add, long version,
      TreeMap<Integer, byte[]> model) {
    UpdateFunction fn;
    byte[] arg;
    byte[] result;
    if (isCounter(i)) {
      fn = UpdateFunctions.ADD_LONG;
      arg = UpdateFunctions.fromLong(add);
      byte[] old = model.get(i);
      result = UpdateFunctions.fromLong((old == null ? 0 : UpdateFunctions.toLong(old)) + add);
    } else {
      fn = UpdateFunctions.PUT_IF_ABSENT;
      arg = value(t, i, version);
      published.set(t, version);
      result = model.containsKey(i) ? model.get(i) : arg;
    }
    if (batch != null) {
      batch.update(tree, key(t, i), fn, arg);
    } else {
      tree.update(key(t, i), fn, arg);
    }
    model.put(i, result);
  }

  /** Writer t's own keys by a cursor, forward or backward: exactly its model. */
  private void scanOwn(Tree tree, int t, TreeMap<Integer, byte[]> model, boolean forward) {
    byte[] prefix = String.format("w%d/", t).getBytes(UTF_8);
    byte[] after = String.format("w%d0", t).getBytes(UTF_8); // '0' follows '/'
    List<Integer> seen = new ArrayList<>();
    String start;
    try (Cursor c = tree.cursor()) {
      boolean ok;
      if (forward) {
        ok = c.seek(prefix);
        start = "seek(w" + t + "/) " + at(c, ok);
      } else {
        boolean found = c.seek(after);
        start = "seek(w" + t + "0) " + at(c, found);
        ok = found ? c.prev() : c.last();
        start += ", then " + (found ? "prev() " : "last() ") + at(c, ok);
        // Other writers' keys may come and go between two chunks (the cursor is weakly
        // consistent): step back past any at or above this writer's range.
        while (ok && Arrays.compareUnsigned(c.key(), after) >= 0) {
          ok = c.prev();
          start += ", prev() " + at(c, ok);
        }
      }
      while (ok && startsWith(c.key(), prefix)) {
        int i = Integer.parseInt(new String(c.key(), prefix.length, 6, UTF_8));
        byte[] want = model.get(i);
        if (!Arrays.equals(c.value(), want)) {
          throw new AssertionError("writer " + t + " own " + (forward ? "forward" : "backward")
              + " scan: key " + i + " holds " + describe(c.value()) + ", the model says " + describe(want));
        }
        seen.add(i);
        ok = forward ? c.next() : c.prev();
      }
    }
    List<Integer> want = new ArrayList<>(model.keySet());
    if (!forward) {
      java.util.Collections.reverse(want);
    }
    if (!seen.equals(want)) {
      throw new AssertionError("writer " + t + " own " + (forward ? "forward" : "backward")
          + " scan saw " + seen.size() + " keys, the model has " + want.size() + " (" + start + "): "
          + difference(want, seen));
    }
  }

  /**
   * Writer t's own keys from key {@code start} on, by a seek (a short first chunk, then longer
   * ones) and steps forward: exactly its model's tail.
   */
  private void scanOwnFrom(Tree tree, int t, TreeMap<Integer, byte[]> model, int start) {
    byte[] prefix = String.format("w%d/", t).getBytes(UTF_8);
    List<Integer> seen = new ArrayList<>();
    try (Cursor c = tree.cursor()) {
      for (boolean ok = c.seek(key(t, start)); ok && startsWith(c.key(), prefix); ok = c.next()) {
        int i = Integer.parseInt(new String(c.key(), prefix.length, 6, UTF_8));
        if (!Arrays.equals(c.value(), model.get(i))) {
          throw new AssertionError("writer " + t + " scan from key " + start + ": key " + i + " holds "
              + describe(c.value()) + ", the model says " + describe(model.get(i)));
        }
        seen.add(i);
      }
    }
    List<Integer> want = new ArrayList<>(model.tailMap(start, true).keySet());
    if (!seen.equals(want)) {
      throw new AssertionError("writer " + t + " scan from key " + start + " saw " + seen.size()
          + " keys, the model has " + want.size() + ": " + difference(want, seen));
    }
  }

  private static String at(Cursor c, boolean ok) {
    return ok ? "at " + new String(c.key(), UTF_8) : "found nothing";
  }

  private static String difference(List<Integer> want, List<Integer> seen) {
    List<Integer> missing = new ArrayList<>(want);
    missing.removeAll(seen);
    List<Integer> extra = new ArrayList<>(seen);
    extra.removeAll(want);
    return "missing " + abbreviate(missing) + ", unexpected " + abbreviate(extra)
        + (missing.isEmpty() && extra.isEmpty() ? " (order differs)" : "");
  }

  private static String abbreviate(List<Integer> l) {
    return l.size() <= 60 ? l.toString() : l.subList(0, 60) + "... (" + l.size() + ")";
  }

  private void scanner(Tree tree, int id) {
    boolean forward = id % 2 == 0;
    while (running.get()) {
      byte[] prev = null;
      try (Cursor c = tree.cursor()) {
        boolean ok = forward ? c.first() : c.last();
        while (ok && running.get()) {
          byte[] k = c.key();
          if (prev != null) {
            int cmp = Arrays.compareUnsigned(prev, k);
            if (forward ? cmp >= 0 : cmp <= 0) {
              throw new AssertionError((forward ? "forward" : "backward") + " scan: "
                  + new String(prev, UTF_8) + " then " + new String(k, UTF_8));
            }
          }
          String ks = new String(k, UTF_8);
          int t = ks.charAt(1) - '0';
          int i = Integer.parseInt(ks.substring(3));
          String why = whyInvalid(t, i, c.value());
          if (why != null) {
            throw new AssertionError("scan: key " + ks + ": " + why);
          }
          prev = k;
          ok = forward ? c.next() : c.prev();
        }
      }
      fullScans.increment();
      forward = !forward;
    }
  }

  /** The whole tree against the models: one forward scan, one backward scan, and a get per key. */
  private void compare(Tree tree, String when) {
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (int t = 0; t < WRITERS; t++) {
      for (Map.Entry<Integer, byte[]> e : models.get(t).entrySet()) {
        keys.add(key(t, e.getKey()));
        values.add(e.getValue());
      }
    }
    try (Cursor c = tree.cursor()) {
      int n = 0;
      for (boolean ok = c.first(); ok; ok = c.next(), n++) {
        if (n >= keys.size() || !Arrays.equals(c.key(), keys.get(n)) || !Arrays.equals(c.value(), values.get(n))) {
          throw new AssertionError(when + ": forward scan entry " + n + " is " + new String(c.key(), UTF_8)
              + ", the models say " + (n < keys.size() ? new String(keys.get(n), UTF_8) : "the end"));
        }
      }
      if (n != keys.size()) {
        throw new AssertionError(when + ": forward scan saw " + n + " entries, the models have " + keys.size());
      }
      n = keys.size() - 1;
      for (boolean ok = c.last(); ok; ok = c.prev(), n--) {
        if (n < 0 || !Arrays.equals(c.key(), keys.get(n))) {
          throw new AssertionError(when + ": backward scan at " + new String(c.key(), UTF_8));
        }
      }
      if (n != -1) {
        throw new AssertionError(when + ": backward scan missed " + (n + 1) + " entries");
      }
    }
    for (int t = 0; t < WRITERS; t++) {
      for (int i = 0; i < KEYS; i++) {
        byte[] got = tree.get(key(t, i));
        if (!Arrays.equals(got, models.get(t).get(i))) {
          throw new AssertionError(when + ": get " + new String(key(t, i), UTF_8) + " returned "
              + describe(got) + ", the model says " + describe(models.get(t).get(i)));
        }
      }
    }
  }

  private static boolean startsWith(byte[] k, byte[] prefix) {
    return k.length >= prefix.length && Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static String describe(byte[] v) {
    if (v == null) {
      return "nothing";
    }
    if (v.length == 8) {
      return "counter " + UpdateFunctions.toLong(v);
    }
    if (v.length >= 16) {
      ByteBuffer b = ByteBuffer.wrap(v);
      return "(writer " + b.getInt() + ", key " + b.getInt() + ", version " + b.getLong() + ", "
          + v.length + " bytes)";
    }
    return v.length + " bytes";
  }
}
