package dev.sapwood.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
 *
 * <p>The single-operation workloads run here through {@link #fixed}; those with loops of their own
 * live beside it: {@link SweepWorkloads} (fillbulk, full scans), {@link RacingWorkloads} (hotkey,
 * readwhilewriting) and {@link TxnWorkloads} (transactions, snapshots).
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
            + st.counterCount() * (cfg.keySize() + 8L);
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

  /**
   * What the run knows of the stored data, for space amplification and verification. The
   * counters' set (num/8 bytes, in the engine's heap) is made only by a run that updates counters.
   */
  static final class State {
    final LiveKeys live;
    private final long num;
    private volatile LiveKeys counters;
    final List<Integer> gens = new ArrayList<>();

    State(long num) {
      this.num = num;
      live = new LiveKeys(num);
    }

    /** The keys holding a counter (made on first use). */
    LiveKeys counters() {
      LiveKeys c = counters;
      if (c == null) {
        synchronized (this) {
          c = counters;
          if (c == null) {
            c = new LiveKeys(num);
            counters = c;
          }
        }
      }
      return c;
    }

    long counterCount() {
      LiveKeys c = counters;
      return c == null ? 0 : c.count();
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
        return new SweepWorkloads(this, cfg, keys, values).bulk(e, w, gen, st);
      }
      case UPDATERANDOM -> {
        Timed t = fixed(w, idx, n, (th, rnd) -> i -> {
          long k = rnd.nextLong(n);
          e.add(keys.key(k), 1);
          st.counters().set(k);
          return cfg.keySize() + 8L;
        });
        return withWritten(t, t.userBytes, "counter +1 via " + e.updateMethod());
      }
      case HOTKEY -> {
        return new RacingWorkloads(this, cfg, keys, values).hotKey(e, w, idx, st);
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
        return new SweepWorkloads(this, cfg, keys, values).scan(e, w, idx, st);
      }
      case READWHILEWRITING -> {
        return new RacingWorkloads(this, cfg, keys, values).readWhileWriting(e, w, gen, idx, st, found);
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

  long check(byte[] key, byte[] value, State st) {
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

  static Histogram newHistogram() {
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

  /**
   * A progress bar for {@code w} over {@code total} operations; with {@code sampled}, its timeline
   * samples also go to the {@link #onSample} listener.
   */
  Progress progress(Workload w, long total, boolean sampled) {
    return sampled ? new Progress(w.label(), total, bar, sampleMillis, sampleListener)
        : new Progress(w.label(), total, bar, sampleMillis);
  }
}
