package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sapwood.Cursor;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One concurrent model run ({@link PooledArraysStressTest}): {@link #WRITERS} writer threads, each
 * the only writer of its keys (key {@code i} belongs to writer {@code i % WRITERS}), change them at
 * random — puts, deletes and blind updates ({@link VersionedValues}), alone or in batches — while
 * two reader threads ({@link ModelReaders}), a checkpointer and a busy cleaner run beside them.
 * The writers publish, per key, the version they are about to write ({@code issued}) and, once the
 * change returned, its exact value ({@code expected}) and version ({@code committed}); a reader
 * that read {@code committed} before its read and {@code issued} after it knows the version it saw
 * lies between the two. A writer also reads its own keys back, which it knows exactly. At the end
 * every key must read back exactly as the writers left it, by get and by cursor, after a
 * checkpoint and after a reopen.
 */
final class ConcurrentModelRun {
  static final int WRITERS = 2;
  private static final Path DIR = Path.of("/pools");

  final long seed;
  final int keys;
  private final Options options;
  private final int opsPerWriter;
  private final MemoryFileIo io = new MemoryFileIo();
  final AtomicLongArray issued;
  final AtomicLongArray committed;
  final AtomicReferenceArray<byte[]> expected;
  final AtomicBoolean done = new AtomicBoolean();
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
  DatabaseImpl db;
  Tree tree;

  ConcurrentModelRun(long seed, Options options, int keys, int opsPerWriter) {
    this.seed = seed;
    this.options = options;
    this.keys = keys;
    this.opsPerWriter = opsPerWriter;
    this.issued = new AtomicLongArray(keys);
    this.committed = new AtomicLongArray(keys);
    this.expected = new AtomicReferenceArray<>(keys);
  }

  /** The first key of the hot range: {@link #HOT} keys (a leaf or two) that a third of all accesses go to. */
  private int hotStart() {
    return keys / 3;
  }

  static final int HOT = 256;

  /**
   * A key for the next access: a third of the time in the hot range, so that flushes into its
   * leaves are frequent and readers are often there while one runs; else any key.
   */
  int pick(Random rnd) {
    return rnd.nextInt(3) == 0 ? hotStart() + rnd.nextInt(HOT) : rnd.nextInt(keys);
  }

  /** Key {@code i}: ascending with {@code i}, of varied lengths. */
  static byte[] key(int i) {
    return (String.format("k%06d", i) + "xxxx".substring(0, i % 5)).getBytes();
  }

  /** Runs the threads, then checks every key exactly (and after a reopen); the stats before the close. */
  Stats execute() {
    System.out.println("ConcurrentModelRun seed=" + seed + " keys=" + keys + " ops per writer=" + opsPerWriter);
    VersionedValues.FUNCTION_FAILURE.set(null);
    long start = System.nanoTime();
    db = TestSeams.open(DIR, options, io);
    tree = db.tree("t");
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int id = w;
      writers.add(start("writer-" + w, () -> write(id)));
    }
    ModelReaders readers = new ModelReaders(this);
    List<Thread> others = List.of(
        start("getter", () -> readers.gets(new Random(seed + 101))),
        start("snapshots", () -> readers.snapshotsAndBackward(new Random(seed + 202))),
        start("checkpointer", this::checkpoints),
        start("busy-cleaner", this::cleaner));
    join(writers);
    done.set(true);
    join(others);
    String fnFailure = VersionedValues.FUNCTION_FAILURE.get();
    if (fnFailure != null) {
      failures.add(new AssertionError(fnFailure));
    }
    if (!failures.isEmpty()) {
      AssertionError e = new AssertionError("seed " + seed + ": " + failures.peek(), failures.peek());
      try {
        db.close();
      } catch (RuntimeException | Error closing) {
        e.addSuppressed(closing); // the first failure is what the run reports
      }
      throw e;
    }
    Stats st = db.stats();
    checkAll("the end");
    db.checkpoint();
    checkAll("after a checkpoint");
    db.close();
    db = TestSeams.open(DIR, options, io);
    tree = db.tree("t");
    checkAll("after a reopen");
    db.close();
    System.out.printf("ConcurrentModelRun seed=%d: %.1f s; parked %d, unparked %d, spills %d, blocks reused %d,"
        + " reads beside flushes %d, checkpoints %d, reader checks %d%n", seed, (System.nanoTime() - start) / 1e9,
        st.get("cache.parked"), st.get("cache.unparked"), st.get("cache.parked_spills"), st.get("cache.block_pool_reused"),
        st.get("flush.reads_beside_build"), st.get("checkpoint.count"), readers.checks());
    return st;
  }

  private Thread start(String name, ThrowingRunnable body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        failures.add(new AssertionError(name + ": " + e, e));
        done.set(true);
      }
    }, "model-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private void join(List<Thread> threads) {
    for (Thread t : threads) {
      try {
        t.join(600_000); // a guard against a hang, not a timing check
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      if (t.isAlive()) {
        throw new AssertionError("seed " + seed + ": " + t.getName() + " did not finish (a hang?)");
      }
    }
  }

  /** Writer {@code w}: its keys only, one change or a batch of 2–5 at a time. */
  private void write(int w) {
    Random rnd = new Random(seed * 31 + w);
    for (int op = 0; op < opsPerWriter && !done.get(); ) {
      int n = rnd.nextInt(5) == 0 ? 2 + rnd.nextInt(4) : 1;
      int[] ks = new int[n];
      byte[][] next = new byte[n][];
      long[] vs = new long[n];
      WriteBatch batch = n > 1 ? new WriteBatch() : null;
      for (int j = 0; j < n; j++) {
        int i;
        do {
          i = pick(rnd) / WRITERS * WRITERS + w;
        } while (i >= keys || contains(ks, j, i));
        ks[j] = i;
        vs[j] = committed.get(i) + 1;
        issued.set(i, vs[j]);
        next[j] = change(i, vs[j], rnd, batch);
      }
      if (batch != null) {
        db.write(batch);
      }
      for (int j = 0; j < n; j++) {
        expected.set(ks[j], next[j]);
        committed.set(ks[j], vs[j]);
      }
      op += n;
      if (rnd.nextInt(8) == 0) { // read one's own key back: known exactly
        int i = Math.min(keys - WRITERS + w, pick(rnd) / WRITERS * WRITERS + w);
        byte[] got = tree.get(key(i));
        if (!java.util.Arrays.equals(expected.get(i), got)) {
          throw new AssertionError("writer " + w + " read its own key " + i + " at version " + committed.get(i)
              + " as " + describe(got));
        }
      }
    }
  }

  private static boolean contains(int[] a, int n, int x) {
    for (int j = 0; j < n; j++) {
      if (a[j] == x) {
        return true;
      }
    }
    return false;
  }

  /** Makes change {@code v} of key {@code i} (into {@code batch} if not null); the value it leaves. */
  private byte[] change(int i, long v, Random rnd, WriteBatch batch) {
    byte[] k = key(i);
    switch (VersionedValues.kind(i, v)) {
      case VersionedValues.PUT -> {
        byte[] val = VersionedValues.putValue(k, v, rnd);
        if (batch != null) {
          batch.put(tree, k, val);
        } else {
          tree.put(k, val);
        }
        return val;
      }
      case VersionedValues.DELETE -> {
        if (batch != null) {
          batch.delete(tree, k);
        } else {
          tree.delete(k);
        }
        return null;
      }
      default -> {
        byte[] arg = VersionedValues.bumpArg(v, rnd);
        if (batch != null) {
          batch.update(tree, k, VersionedValues.BUMP, arg);
        } else {
          tree.update(k, VersionedValues.BUMP, arg);
        }
        return VersionedValues.bumped(k, expected.get(i), arg);
      }
    }
  }

  private void checkpoints() throws InterruptedException {
    while (!done.get()) {
      Thread.sleep(25);
      db.checkpoint();
    }
  }

  private void cleaner() throws InterruptedException {
    while (!done.get()) {
      db.upkeep().cleanWithoutBudget(); // flushes whatever is heavy, beside the writers' own flushes
      Thread.sleep(1);
    }
  }

  /** Every key by get, and a full cursor, exactly as the writers left them. */
  private void checkAll(String when) {
    int present = 0;
    for (int i = 0; i < keys; i++) {
      assertArrayEquals(expected.get(i), tree.get(key(i)), "seed " + seed + ", " + when + ": get of key " + i);
      present += expected.get(i) != null ? 1 : 0;
    }
    int seen = 0;
    try (Cursor c = tree.cursor()) {
      for (boolean ok = c.first(); ok; ok = c.next()) {
        int i = ModelReaders.index(c.key());
        assertArrayEquals(expected.get(i), c.value(), "seed " + seed + ", " + when + ": cursor at key " + i);
        seen++;
      }
    }
    assertEquals(present, seen, "seed " + seed + ", " + when + ": keys the cursor saw");
  }

  static String describe(byte[] v) {
    if (v == null) {
      return "absent";
    }
    return v.length + " bytes, version " + (v.length >= 8 ? VersionedValues.version(v) : -1) + ", starting "
        + java.util.Arrays.toString(java.util.Arrays.copyOf(v, Math.min(v.length, 16)));
  }
}
