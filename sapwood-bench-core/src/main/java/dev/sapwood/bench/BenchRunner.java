package dev.sapwood.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Runs a {@link BenchConfig}'s workloads in order on one freshly opened engine and measures each:
 * throughput, latency percentiles of single operations, bytes written to storage (including the
 * settle after a write workload), bytes on disk and peak memory.
 *
 * <p>Every engine sees the same key numbers in the same order per thread (seeded by the config's
 * seed, the workload's position and the thread) and the same value bytes ({@link ValueSource}).
 */
public final class BenchRunner {
  private final BenchConfig cfg;
  private final PrintStream bar;
  private final long sampleMillis;
  private final KeySpace keys;
  private final ValueSource values;

  /**
   * @param bar where to draw a progress bar, or null for none
   * @param sampleMillis interval of the insert-rate timeline samples
   */
  public BenchRunner(BenchConfig cfg, PrintStream bar, long sampleMillis) {
    this.cfg = cfg;
    this.bar = bar;
    this.sampleMillis = sampleMillis;
    this.keys = new KeySpace(cfg.keySize(), cfg.num(), cfg.seed());
    this.values = new ValueSource(cfg.valueSize(), cfg.seed());
  }

  private java.util.function.BiConsumer<String, double[]> sampleListener;

  /** Tells {@code l} of every timeline sample (workload label, {ops done, ops/s}) as it is taken. */
  public BenchRunner onSample(java.util.function.BiConsumer<String, double[]> l) {
    this.sampleListener = l;
    return this;
  }

  public KeySpace keys() {
    return keys;
  }

  public ValueSource values() {
    return values;
  }

  /** The value generation that the workload at position {@code index} of the list writes. */
  public static int generation(int index) {
    return index + 1;
  }

  /**
   * Opens an engine in {@code dir} (which should be empty), runs every workload (skipping, with
   * no result, one the engine cannot run: txntransfer and txnupdate without transactions,
   * readsnapshot without snapshots), reports each result to {@code each} as it completes, closes
   * the engine, and returns the results.
   */
  public List<WorkloadResult> run(EngineFactory factory, Path dir, Consumer<WorkloadResult> each) {
    List<WorkloadResult> results = new ArrayList<>();
    System.gc();
    ProcStats.resetPeakRss();
    State st = new State(cfg.num());
    try (BenchEngine engine = factory.open(dir, cfg.engineSettings())) {
      for (int idx = 0; idx < cfg.benchmarks().size(); idx++) {
        Workload w = cfg.benchmarks().get(idx);
        st.gens.add(generation(idx));
        long w0 = ProcStats.writtenBytes();
        long cpu0 = ProcStats.cpuNanos();
        double gc0 = ProcStats.gcPauseSeconds();
        Timed t = runOne(engine, w, generation(idx), idx, st);
        double gc = ProcStats.gcPauseSeconds() - gc0;
        if (t == null) {
          continue; // the engine lacks what the workload needs (transactions, snapshots)
        }
        long cpu1 = ProcStats.cpuNanos();
        String note = t.note;
        if (cpu0 >= 0 && cpu1 >= 0 && t.ops > 0) {
          // Less sensitive to a shared machine than ops/s: what the process spent, all threads.
          note += String.format(java.util.Locale.ROOT, "%sprocess CPU %.1f us/op",
              note.isEmpty() ? "" : "; ", (cpu1 - cpu0) / 1e3 / t.ops);
        }
        double settle = 0;
        if (w.writes()) {
          long s0 = System.nanoTime();
          engine.settle();
          settle = (System.nanoTime() - s0) / 1e9;
        }
        long w1 = ProcStats.writtenBytes();
        long live = st.live.count() * (cfg.keySize() + cfg.valueSize())
            + st.counters.count() * (cfg.keySize() + 8L);
        Histogram h = t.hist;
        WorkloadResult r = new WorkloadResult(engine.name(), w.label(), t.ops, t.nanos / 1e9,
            t.userBytes, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
            h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3,
            w0 < 0 || w1 < 0 ? -1 : w1 - w0, t.userBytesWritten, settle,
            ProcStats.diskBytes(dir), live, ProcStats.peakRss(), gc, note, t.timeline);
        results.add(r);
        if (each != null) {
          each.accept(r);
        }
      }
    }
    return results;
  }

  /** What the run knows of the stored data, for space amplification and verification. */
  static final class State {
    final LiveKeys live;
    final LiveKeys counters;
    final List<Integer> gens = new ArrayList<>();

    State(long num) {
      live = new LiveKeys(num);
      counters = new LiveKeys(num);
    }
  }

  record Timed(long ops, long nanos, long userBytes, long userBytesWritten, Histogram hist,
      String note, List<double[]> timeline) {}

  /** One thread's share of a workload; returns the user bytes an operation moved. */
  interface Op {
    long run(long i);

    /** Releases what the thread held (a cursor). */
    default void close() {}
  }

  interface OpFactory {
    Op create(int thread, SplittableRandom rnd);
  }

  /** Runs one workload; null if the engine cannot run it (no transactions or snapshots). */
  private Timed runOne(BenchEngine e, Workload w, int gen, int idx, State st) {
    int kv = cfg.keySize() + cfg.valueSize();
    long n = cfg.num();
    long reads = cfg.readOps();
    AtomicLong found = new AtomicLong();
    switch (w) {
      case FILLSEQ, FILLRANDOM, OVERWRITE -> {
        Timed t = fixed(w, idx, n, (th, rnd) -> i -> {
          long k = w == Workload.FILLSEQ ? i : w == Workload.FILLRANDOM ? keys.permuted(i) : rnd.nextLong(n);
          e.put(keys.key(k), values.value(k, gen));
          st.live.set(k);
          return kv;
        });
        return withWritten(t, t.userBytes, "");
      }
      case FILLBULK -> {
        return bulk(e, w, gen, st);
      }
      case UPDATERANDOM -> {
        Timed t = fixed(w, idx, n, (th, rnd) -> i -> {
          long k = rnd.nextLong(n);
          e.add(keys.key(k), 1);
          st.counters.set(k);
          return cfg.keySize() + 8L;
        });
        return withWritten(t, t.userBytes, "counter +1 via " + e.updateMethod());
      }
      case HOTKEY -> {
        return hotKey(e, w, idx, st);
      }
      case DELETERANDOM -> {
        Timed t = fixed(w, idx, n, (th, rnd) -> i -> {
          long k = rnd.nextLong(n);
          e.delete(keys.key(k));
          st.live.clear(k);
          return cfg.keySize();
        });
        return withWritten(t, t.userBytes, "");
      }
      case READRANDOM -> {
        Timed t = fixed(w, idx, reads, (th, rnd) -> i -> {
          long k = rnd.nextLong(n);
          byte[] v = e.get(keys.key(k));
          return readBytes(k, v, st, found);
        });
        return withWritten(t, 0, "found " + found.get() + " of " + t.ops);
      }
      case SEEKRANDOM -> {
        Timed t = fixed(w, idx, reads, (th, rnd) -> new Op() {
          private final BenchCursor c = e.cursor();

          @Override
          public long run(long i) {
            long bytes = 0;
            if (c.seek(keys.key(rnd.nextLong(n)))) {
              found.incrementAndGet();
              bytes += check(c.key(), c.value(), st);
              for (int j = 0; j < cfg.seekNexts() && c.next(); j++) {
                bytes += check(c.key(), c.value(), st);
              }
            }
            return bytes;
          }

          @Override
          public void close() {
            c.close();
          }
        });
        return withWritten(t, 0, "seeks found " + found.get() + " of " + t.ops + ", "
            + cfg.seekNexts() + " nexts each");
      }
      case READSEQ, READREVERSE -> {
        return scan(e, w, idx, st);
      }
      case READWHILEWRITING -> {
        return readWhileWriting(e, w, gen, idx, st, found);
      }
      case TXNTRANSFER -> {
        return new TxnWorkloads(this, cfg, keys).transfer(e, w, idx);
      }
      case TXNUPDATE -> {
        return new TxnWorkloads(this, cfg, keys).update(e, w, idx);
      }
      case READSNAPSHOT, READSNAPSHOTOP -> {
        return new TxnWorkloads(this, cfg, keys).readSnapshot(e, w, idx, st);
      }
      default -> throw new IllegalStateException(w.toString());
    }
  }

  private static Timed withWritten(Timed t, long written, String note) {
    return new Timed(t.ops, t.nanos, t.userBytes, written, t.hist, note, t.timeline);
  }

  long readBytes(long k, byte[] v, State st, AtomicLong found) {
    if (v == null) {
      if (cfg.verify() && st.live.get(k)) {
        throw new IllegalStateException("key " + k + " is live but the engine returned null");
      }
      return cfg.keySize();
    }
    found.incrementAndGet();
    if (cfg.verify()) {
      verifyValue(k, v, st);
    }
    return cfg.keySize() + v.length;
  }

  private long check(byte[] key, byte[] value, State st) {
    if (cfg.verify()) {
      verifyValue(KeySpace.number(key), value, st);
    }
    return key.length + value.length;
  }

  private void verifyValue(long k, byte[] v, State st) {
    for (int g : st.gens) {
      if (java.util.Arrays.equals(v, values.value(k, g))) {
        return;
      }
    }
    throw new IllegalStateException("key " + k + ": value read is none that was written");
  }

  private static Histogram newHistogram() {
    return new Histogram(3_600_000_000_000L, 2);
  }

  /** Runs {@code total} operations split over the threads, timing each. */
  Timed fixed(Workload w, int idx, long total, OpFactory f) {
    int threads = cfg.threads();
    Histogram[] hs = new Histogram[threads];
    long[] bytes = new long[threads];
    for (int t = 0; t < threads; t++) {
      hs[t] = newHistogram();
    }
    try (Progress p = new Progress(w.label(), total, bar, sampleMillis, sampleListener)) {
      long nanos = Workers.run(threads, "bench-" + w.label(), th -> {
        long from = total * th / threads;
        long to = total * (th + 1) / threads;
        SplittableRandom rnd = new SplittableRandom(cfg.seed() * 1_000_003L + idx * 7919L + th);
        Op op = f.create(th, rnd);
        Histogram h = hs[th];
        long b = 0;
        int batch = 0;
        for (long i = from; i < to; i++) {
          long t0 = System.nanoTime();
          b += op.run(i);
          h.recordValue(Math.max(1, System.nanoTime() - t0));
          if (++batch == Progress.BATCH) {
            p.add(batch);
            batch = 0;
          }
        }
        p.add(batch);
        op.close();
        bytes[th] = b;
      });
      Histogram all = newHistogram();
      long sum = 0;
      for (int t = 0; t < threads; t++) {
        all.add(hs[t]);
        sum += bytes[t];
      }
      return new Timed(total, nanos, sum, 0, all, "", p.timeline());
    }
  }

  /** fillbulk: one thread adds keys 0..num-1 to the engine's sorted load, then finishes it (timed too). */
  private Timed bulk(BenchEngine e, Workload w, int gen, State st) {
    long n = cfg.num();
    int kv = cfg.keySize() + cfg.valueSize();
    Histogram h = newHistogram();
    long[] finishNanos = new long[1];
    try (Progress p = new Progress(w.label(), n, bar, sampleMillis, sampleListener)) {
      long nanos = Workers.run(1, "bench-" + w.label(), th -> {
        BenchEngine.SortedLoad load = e.sortedLoad();
        int batch = 0;
        for (long i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          load.add(keys.key(i), values.value(i, gen));
          h.recordValue(Math.max(1, System.nanoTime() - t0));
          st.live.set(i);
          if (++batch == Progress.BATCH) {
            p.add(batch);
            batch = 0;
          }
        }
        p.add(batch);
        long f0 = System.nanoTime();
        load.finish();
        finishNanos[0] = System.nanoTime() - f0;
      });
      String note = String.format(java.util.Locale.ROOT, "one thread; finish %.1f ms of the time", finishNanos[0] / 1e6);
      return new Timed(n, nanos, n * kv, n * kv, h, note, p.timeline());
    }
  }

  private Timed scan(BenchEngine e, Workload w, int idx, State st) {
    int threads = cfg.threads();
    Histogram[] hs = new Histogram[threads];
    long[] bytes = new long[threads];
    long[] counts = new long[threads];
    for (int t = 0; t < threads; t++) {
      hs[t] = newHistogram();
    }
    boolean forward = w == Workload.READSEQ;
    try (Progress p = new Progress(w.label(), st.live.count() * threads, bar, sampleMillis)) {
      long nanos = Workers.run(threads, "bench-" + w.label(), th -> {
        try (BenchCursor c = e.cursor()) {
          Histogram h = hs[th];
          long b = 0;
          long cnt = 0;
          long t0 = System.nanoTime();
          boolean ok = forward ? c.first() : c.last();
          while (ok) {
            b += check(c.key(), c.value(), st);
            h.recordValue(Math.max(1, System.nanoTime() - t0));
            if (++cnt % Progress.BATCH == 0) {
              p.add(Progress.BATCH);
            }
            t0 = System.nanoTime();
            ok = forward ? c.next() : c.prev();
          }
          bytes[th] = b;
          counts[th] = cnt;
        }
      });
      Histogram all = newHistogram();
      long sum = 0;
      long ops = 0;
      for (int t = 0; t < threads; t++) {
        all.add(hs[t]);
        sum += bytes[t];
        ops += counts[t];
      }
      if (cfg.verify() && ops != st.live.count() * threads) {
        throw new IllegalStateException(w.label() + " read " + ops + " entries, expected "
            + st.live.count() * threads);
      }
      return new Timed(ops, nanos, sum, 0, all, threads + " full scan(s)", p.timeline());
    }
  }

  /**
   * num blind +1s of counter 0 (untimed, one thread), then reads rounds of one more +1 (untimed)
   * and one get of the counter (timed): a hot key read while it is still being updated, as YCSB's
   * A and F do. The rate is gets per second of get time; for Sapwood the note says how many
   * buffered messages a get applied on average (its read.* counters).
   */
  private Timed hotKey(BenchEngine e, Workload w, int idx, State st) {
    byte[] hot = keys.key(0);
    long n = cfg.num();
    for (long i = 0; i < n; i++) {
      e.add(hot, 1);
    }
    st.counters.set(0);
    long[] before = readCounters(e);
    long reads = cfg.readOps();
    Histogram h = newHistogram();
    long nanos = 0;
    try (Progress p = new Progress(w.label(), reads, bar, sampleMillis, sampleListener)) {
      for (long i = 0; i < reads; i++) {
        e.add(hot, 1);
        long t0 = System.nanoTime();
        long v = e.counter(hot);
        long dt = Math.max(1, System.nanoTime() - t0);
        nanos += dt;
        h.recordValue(dt);
        if (cfg.verify() && v != n + i + 1) {
          throw new IllegalStateException("hot counter reads " + v + " after " + (n + i + 1) + " adds");
        }
        p.add(1);
      }
      long[] after = readCounters(e);
      String perGet = after == null ? "" : String.format(java.util.Locale.ROOT, "; %.2f messages applied per get",
          (after[1] - before[1]) / (double) Math.max(1, after[0] - before[0]));
      return new Timed(reads, nanos, reads * (cfg.keySize() + 8L), 0, h,
          "gets of one counter after " + n + " blind +1s, each get after one more, via " + e.updateMethod()
              + perGet, p.timeline());
    }
  }

  /** Sapwood's {read.gets, read.get_messages_applied}, or null for other engines. */
  private static long[] readCounters(BenchEngine e) {
    if (e instanceof SapwoodEngine s) {
      dev.sapwood.Stats stats = s.database().stats();
      return new long[] {stats.get("read.gets"), stats.get("read.get_messages_applied")};
    }
    return null;
  }

  private Timed readWhileWriting(BenchEngine e, Workload w, int gen, int idx, State st,
      AtomicLong found) {
    AtomicBoolean done = new AtomicBoolean();
    long[] writes = new long[1];
    Throwable[] err = new Throwable[1];
    long n = cfg.num();
    Thread writer = new Thread(() -> {
      SplittableRandom rnd = new SplittableRandom(cfg.seed() * 31 + idx);
      try {
        while (!done.get()) {
          long k = rnd.nextLong(n);
          e.put(keys.key(k), values.value(k, gen));
          st.live.set(k);
          writes[0]++;
        }
      } catch (Throwable x) {
        err[0] = x;
      }
    }, "bench-writer");
    long w0 = System.nanoTime();
    writer.start();
    Timed t;
    try {
      t = fixed(w, idx, cfg.readOps(), (th, rnd) -> i -> {
        long k = rnd.nextLong(n);
        return readBytes(k, e.get(keys.key(k)), st, found);
      });
    } finally {
      done.set(true);
      Workers.joinAll(writer);
    }
    Workers.rethrow(err[0]);
    double ws = (System.nanoTime() - w0) / 1e9;
    long written = writes[0] * (cfg.keySize() + cfg.valueSize());
    return new Timed(t.ops, t.nanos, t.userBytes, written, t.hist,
        String.format(java.util.Locale.ROOT, "found %d of %d; writer: %d puts, %.0f puts/s",
            found.get(), t.ops, writes[0], writes[0] / Math.max(1e-9, ws)), t.timeline);
  }
}
