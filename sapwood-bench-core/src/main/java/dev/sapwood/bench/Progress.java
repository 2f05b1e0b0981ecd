package dev.sapwood.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts one workload's completed operations (workers add in batches), samples the count on a
 * daemon thread into a timeline of (operations done, operations per second since the previous
 * sample) — the insert-rate curve — and, when {@code bar} is non-null, draws a progress bar on it.
 */
final class Progress implements AutoCloseable {
  /** Workers add to the counter once per this many operations. */
  static final int BATCH = 256;

  private final LongAdder done = new LongAdder();
  private final long total;
  private final String label;
  private final PrintStream bar;
  private final long sampleNanos;
  private final List<double[]> timeline = new ArrayList<>();
  private final Thread sampler;
  private volatile boolean stop;
  private volatile long lastSample;
  private final long start = System.nanoTime();

  private final java.util.function.BiConsumer<String, double[]> listener;

  Progress(String label, long total, PrintStream bar, long sampleMillis) {
    this(label, total, bar, sampleMillis, null);
  }

  /** {@code listener} (may be null) is told of each sample as it is taken. */
  Progress(String label, long total, PrintStream bar, long sampleMillis,
      java.util.function.BiConsumer<String, double[]> listener) {
    this.listener = listener;
    this.label = label;
    this.total = total;
    this.bar = bar;
    this.sampleNanos = sampleMillis * 1_000_000L;
    sampler = new Thread(this::sample, "bench-progress");
    sampler.setDaemon(true);
    sampler.start();
  }

  void add(long n) {
    done.add(n);
  }

  private void sample() {
    long lastT = start;
    long lastN = 0;
    long lastDraw = 0;
    while (!stop) {
      try {
        Thread.sleep(Math.max(1, sampleNanos / 1_000_000L));
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      long n = done.sum();
      double[] sample = {n, (n - lastN) * 1e9 / Math.max(1, now - lastT)};
      synchronized (timeline) {
        timeline.add(sample);
      }
      if (listener != null) {
        listener.accept(label, sample);
      }
      lastT = now;
      lastN = n;
      lastSample = now;
      if (bar != null && now - lastDraw > 200_000_000L) {
        draw(n, now);
        lastDraw = now;
      }
    }
  }

  private void draw(long n, long now) {
    double f = total <= 0 ? 0 : Math.min(1.0, (double) n / total);
    int width = 30;
    int filled = (int) (f * width);
    double secs = (now - start) / 1e9;
    double rate = n / Math.max(1e-9, secs);
    double eta = rate > 0 ? (total - n) / rate : 0;
    bar.printf("\r%-16s [%s%s] %5.1f%% %,12d ops %,10.0f ops/s ETA %5.0fs ", label,
        "#".repeat(filled), " ".repeat(width - filled), f * 100, n, rate, eta);
    bar.flush();
  }

  /** The samples so far: {operations done, ops/s over the last interval}. */
  List<double[]> timeline() {
    synchronized (timeline) {
      return new ArrayList<>(timeline);
    }
  }

  @Override
  public void close() {
    stop = true;
    sampler.interrupt();
    try {
      sampler.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long n = done.sum();
    synchronized (timeline) {
      // a closing sample, so that short workloads still draw a line
      double prevN = timeline.isEmpty() ? 0 : timeline.get(timeline.size() - 1)[0];
      long since = System.nanoTime() - (timeline.isEmpty() ? start : lastSample);
      if (n > prevN) {
        timeline.add(new double[] {n, (n - prevN) * 1e9 / Math.max(1, since)});
      }
    }
    if (bar != null) {
      bar.print("\r" + " ".repeat(110) + "\r");
      bar.flush();
    }
  }
}
