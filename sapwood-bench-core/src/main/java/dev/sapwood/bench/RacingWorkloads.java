package dev.sapwood.bench;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The workloads that read while the data is being written: hotkey (gets of one counter
 * interleaved with +1s of it) and readwhilewriting (random gets on the run's threads while one
 * writer thread puts random keys).
 *
 * <p>Invariants: with verify on, hotkey's counter reads exactly the +1s added before it; the
 * writer of readwhilewriting marks each key it puts live, and its error, if any, is rethrown
 * after the readers finish.
 */
record RacingWorkloads(BenchRunner runner, BenchConfig cfg, KeySpace keys, ValueSource values) {
  /**
   * num blind +1s of counter 0 (untimed, one thread), then reads rounds of one more +1 (untimed)
   * and one get of the counter (timed): a hot key read while it is still being updated, as YCSB's
   * A and F do. The rate is gets per second of get time; for Sapwood the note says how many
   * buffered messages a get applied on average (its read.* counters).
   */
  BenchRunner.Timed hotKey(BenchEngine e, Workload w, int idx, BenchRunner.State st) {
    byte[] hot = keys.key(0);
    long n = cfg.num();
    for (long i = 0; i < n; i++) {
      e.add(hot, 1);
    }
    st.counters().set(0);
    long[] before = readCounters(e);
    long reads = cfg.readOps();
    Histogram h = BenchRunner.newHistogram();
    long nanos = 0;
    try (Progress p = runner.progress(w, reads, true)) {
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
      return new BenchRunner.Timed(reads, nanos, reads * (cfg.keySize() + 8L), 0, h,
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

  BenchRunner.Timed readWhileWriting(BenchEngine e, Workload w, int gen, int idx, BenchRunner.State st,
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
    BenchRunner.Timed t;
    try {
      t = runner.fixed(w, idx, cfg.readOps(), (th, rnd) -> i -> {
        long k = rnd.nextLong(n);
        return runner.readBytes(k, e.get(keys.key(k)), st, found);
      });
    } finally {
      done.set(true);
      Workers.joinAll(writer);
    }
    Workers.rethrow(err[0]);
    double ws = (System.nanoTime() - w0) / 1e9;
    long written = writes[0] * (cfg.keySize() + cfg.valueSize());
    return new BenchRunner.Timed(t.ops(), t.nanos(), t.userBytes(), written, t.hist(),
        String.format(java.util.Locale.ROOT, "found %d of %d; writer: %d puts, %.0f puts/s",
            found.get(), t.ops(), writes[0], writes[0] / Math.max(1e-9, ws)), t.timeline());
  }
}
