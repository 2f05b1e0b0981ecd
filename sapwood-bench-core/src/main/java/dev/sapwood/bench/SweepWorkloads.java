package dev.sapwood.bench;

import org.HdrHistogram.Histogram;

/**
 * The workloads that pass over the whole keyspace with loops of their own rather than {@link
 * BenchRunner#fixed}'s count of random operations: fillbulk (every key once, ascending, on one
 * thread through the engine's sorted load) and readseq, readreverse (a full scan with a cursor on
 * each thread).
 *
 * <p>Invariants: fillbulk marks every key it adds live; with verify on, a scan reads exactly the
 * live keys once per thread, each value one that was written.
 */
record SweepWorkloads(BenchRunner runner, BenchConfig cfg, KeySpace keys, ValueSource values) {
  /** fillbulk: one thread adds keys 0..num-1 to the engine's sorted load, then finishes it (timed too). */
  BenchRunner.Timed bulk(BenchEngine e, Workload w, int gen, BenchRunner.State st) {
    long n = cfg.num();
    int kv = cfg.keySize() + cfg.valueSize();
    Histogram h = BenchRunner.newHistogram();
    long[] finishNanos = new long[1];
    try (Progress p = runner.progress(w, n, true)) {
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
      return new BenchRunner.Timed(n, nanos, n * kv, n * kv, h, note, p.timeline());
    }
  }

  BenchRunner.Timed scan(BenchEngine e, Workload w, int idx, BenchRunner.State st) {
    int threads = cfg.threads();
    Histogram[] hs = new Histogram[threads];
    long[] bytes = new long[threads];
    long[] counts = new long[threads];
    for (int t = 0; t < threads; t++) {
      hs[t] = BenchRunner.newHistogram();
    }
    boolean forward = w == Workload.READSEQ;
    try (Progress p = runner.progress(w, st.live.count() * threads, false)) {
      long nanos = Workers.run(threads, "bench-" + w.label(), th -> {
        try (BenchCursor c = e.cursor()) {
          Histogram h = hs[th];
          long b = 0;
          long cnt = 0;
          long t0 = System.nanoTime();
          boolean ok = forward ? c.first() : c.last();
          while (ok) {
            b += runner.check(c.key(), c.value(), st);
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
      Histogram all = BenchRunner.newHistogram();
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
      return new BenchRunner.Timed(ops, nanos, sum, 0, all, threads + " full scan(s)", p.timeline());
    }
  }
}
