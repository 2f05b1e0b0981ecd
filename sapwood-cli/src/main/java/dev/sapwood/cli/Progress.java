package dev.sapwood.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with count, rate and ETA, redrawn in place on standard error at most ten
 * times a second — only when the process runs on a terminal; otherwise every call does nothing,
 * so piped and redirected output never carries it.
 */
final class Progress {
  private static final int WIDTH = 30;

  private final PrintStream err;
  private final boolean enabled;
  private final String unit;
  private final long start = System.nanoTime();
  private long lastDraw;
  private boolean drawn;

  private Progress(PrintStream err, boolean enabled, String unit) {
    this.err = err;
    this.enabled = enabled;
    this.unit = unit;
  }

  /** A bar on {@code err} if the process has a terminal, else a silent one. */
  static Progress onTerminal(PrintStream err, String unit) {
    return new Progress(err, System.console() != null, unit);
  }

  /**
   * Reports {@code count} items done, and the fraction done out of {@code done/total} (in any unit,
   * for example bytes of the input; total <= 0 when unknown).
   */
  void update(long count, long done, long total) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (drawn && now - lastDraw < 100_000_000L && (total <= 0 || done < total)) {
      return;
    }
    lastDraw = now;
    drawn = true;
    double secs = Math.max(1e-9, (now - start) / 1e9);
    String rate = String.format(Locale.ROOT, "%,.0f %s/s", count / secs, unit);
    StringBuilder line = new StringBuilder("\r");
    if (total > 0) {
      double f = Math.min(1, (double) done / total);
      int full = (int) (f * WIDTH);
      line.append('[').append("#".repeat(full)).append(" ".repeat(WIDTH - full)).append("] ")
          .append(String.format(Locale.ROOT, "%3.0f%% ", f * 100));
      if (f > 0 && f < 1) {
        line.append(String.format(Locale.ROOT, "ETA %ds ", (long) (secs / f - secs)));
      }
    }
    line.append(String.format(Locale.ROOT, "%,d %s, %s   ", count, unit, rate));
    err.print(line);
    err.flush();
  }

  /** Ends the bar's line. */
  void done() {
    if (enabled && drawn) {
      err.println();
    }
  }
}
