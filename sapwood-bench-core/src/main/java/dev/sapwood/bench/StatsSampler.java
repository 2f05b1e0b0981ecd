package dev.sapwood.bench;

import dev.sapwood.Database;
import dev.sapwood.Stats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes chosen engine counters every period into a file, one line per sample: milliseconds since
 * the start, then {@code name=value} for each counter whose name starts with one of the given
 * prefixes, and the process's {@code write_bytes}, {@code cancelled_write_bytes} and {@code wchar}
 * from /proc/self/io as {@code proc.*} (when readable), so the bytes the process is counted for sit
 * beside the engine's own in each sample. For reading a long run's timeline against the engine's own counters (e.g. {@code
 * -Dsapwood.bench.statsFile=/tmp/s.txt -Dsapwood.bench.statsPrefixes=cache.,checkpoint.}).
 * Started by {@link SapwoodEngine} (and the YCSB binding) only when its system property names a
 * file; closing it takes one last sample, so the file's last line holds the run's totals.
 */
public final class StatsSampler implements AutoCloseable {
  private final Database db;
  private final String[] prefixes;
  private final long start;
  private final ScheduledExecutorService timer;
  private final PrintWriter out;

  private StatsSampler(Database db, Path file, String[] prefixes, long periodMs) throws IOException {
    out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    this.db = db;
    this.prefixes = prefixes;
    this.start = System.nanoTime();
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-stats-sampler");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(this::sample, 0, periodMs, TimeUnit.MILLISECONDS);
  }

  /** A sampler if {@code sapwood.bench.statsFile} is set, else null. */
  public static StatsSampler fromProperties(Database db) {
    String file = System.getProperty("sapwood.bench.statsFile");
    if (file == null) {
      return null;
    }
    String[] prefixes = System.getProperty("sapwood.bench.statsPrefixes", "").split(",");
    long period = Long.parseLong(System.getProperty("sapwood.bench.statsMs", "1000"));
    try {
      return new StatsSampler(db, Path.of(file), prefixes, period);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void sample() {
    Stats s;
    try {
      s = db.stats();
    } catch (RuntimeException closed) {
      return;
    }
    StringBuilder line = new StringBuilder().append((System.nanoTime() - start) / 1_000_000);
    for (Map.Entry<String, Long> e : new java.util.TreeMap<>(s.counters()).entrySet()) {
      for (String p : prefixes) {
        if (e.getKey().startsWith(p)) {
          line.append(' ').append(e.getKey()).append('=').append(e.getValue());
          break;
        }
      }
    }
    procIo(line);
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  /** Appends /proc/self/io's written-byte fields as {@code proc.<field>=<value>}; nothing if unreadable. */
  private static void procIo(StringBuilder line) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/io"))) {
        int c = l.indexOf(':');
        String k = c < 0 ? "" : l.substring(0, c);
        if (k.equals("write_bytes") || k.equals("cancelled_write_bytes") || k.equals("wchar")) {
          line.append(" proc.").append(k).append('=').append(l.substring(c + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: the engine's counters alone
    }
  }

  /** Stops the sampling after one last sample; call before the database closes. */
  @Override
  public void close() {
    timer.shutdownNow();
    sample();
    synchronized (out) {
      out.close();
    }
  }
}
