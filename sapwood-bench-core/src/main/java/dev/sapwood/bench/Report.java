package dev.sapwood.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Formats results: db_bench-style lines, and the JSON document of a run. */
public final class Report {
  private Report() {}

  /** The header printed before a run. */
  public static void header(PrintStream out, BenchConfig cfg, String mode) {
    out.printf(Locale.ROOT, "Keys:       %d bytes each, big-endian key numbers%n", cfg.keySize());
    out.printf(Locale.ROOT, "Values:     %d bytes each (compressible to about half)%n", cfg.valueSize());
    out.printf(Locale.ROOT, "Entries:    %,d   reads: %,d   threads: %d%n", cfg.num(), cfg.readOps(), cfg.threads());
    out.printf(Locale.ROOT, "Cache:      %s   compression: %s   durability: %s%n",
        bytes(cfg.cacheSize()), cfg.compression(), cfg.durability());
    out.printf(Locale.ROOT, "Mode:       %s%n", mode);
    out.printf(Locale.ROOT, "JVM:        %s %s, max heap %s, %d CPUs%n", System.getProperty("java.vm.name"),
        System.getProperty("java.version"), bytes(Runtime.getRuntime().maxMemory()),
        Runtime.getRuntime().availableProcessors());
    out.println("------------------------------------------------");
  }

  /** One db_bench-style line (plus a note line when there is one). */
  public static String line(WorkloadResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "%-16s : %12s ops/s %8.1f MB/s  lat us p50 %s p99 %s p99.9 %s max %s", r.workload(),
        String.format(Locale.ROOT, "%,.0f", r.opsPerSec()), r.mbPerSec(),
        num(r.latencyP50Micros()), num(r.latencyP99Micros()), num(r.latencyP999Micros()),
        num(r.latencyMaxMicros())));
    sb.append(String.format(Locale.ROOT, "  WA %s  SA %s  disk %s  peakRSS %s",
        Double.isNaN(r.writeAmp()) ? "-" : String.format(Locale.ROOT, "%.2f", r.writeAmp()),
        Double.isNaN(r.spaceAmp()) ? "-" : String.format(Locale.ROOT, "%.2f", r.spaceAmp()),
        bytes(r.diskBytes()), r.peakRssBytes() < 0 ? "?" : bytes(r.peakRssBytes())));
    if (r.gcPauseSeconds() > 0) {
      sb.append(String.format(Locale.ROOT, "  GC %.1f%%", 100 * r.gcShare()));
    }
    if (r.settleSeconds() > 0.0005) {
      sb.append(String.format(Locale.ROOT, "  settle %.1fs", r.settleSeconds()));
    }
    if (!r.note().isEmpty()) {
      sb.append("\n                   (").append(r.note()).append(')');
    }
    return sb.toString();
  }

  private static String num(double micros) {
    return micros >= 100 ? String.format(Locale.ROOT, "%.0f", micros)
        : String.format(Locale.ROOT, "%.1f", micros);
  }

  public static String bytes(long b) {
    if (b < 0) {
      return "?";
    }
    if (b < 10L << 10) {
      return b + " B";
    }
    if (b < 10L << 20) {
      return (b >> 10) + " KiB";
    }
    if (b < 10L << 30) {
      return (b >> 20) + " MiB";
    }
    return String.format(Locale.ROOT, "%.1f GiB", b / 1073741824.0);
  }

  /** A result as a JSON-ready map (timeline included only when asked). */
  public static Map<String, Object> toMap(WorkloadResult r, boolean timeline) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("engine", r.engine());
    m.put("workload", r.workload());
    m.put("ops", r.ops());
    m.put("seconds", r.seconds());
    m.put("ops_per_sec", r.opsPerSec());
    m.put("mb_per_sec", r.mbPerSec());
    m.put("latency_us", new LinkedHashMap<>(Map.of("p50", r.latencyP50Micros(), "p99",
        r.latencyP99Micros(), "p99_9", r.latencyP999Micros(), "max", r.latencyMaxMicros())));
    m.put("written_bytes", r.writtenBytes());
    m.put("user_bytes_written", r.userBytesWritten());
    m.put("write_amplification", r.writeAmp());
    m.put("settle_seconds", r.settleSeconds());
    m.put("disk_bytes", r.diskBytes());
    m.put("live_user_bytes", r.liveUserBytes());
    m.put("space_amplification", r.spaceAmp());
    m.put("peak_rss_bytes", r.peakRssBytes());
    m.put("gc_pause_seconds", r.gcPauseSeconds());
    m.put("note", r.note());
    if (timeline) {
      List<Object> t = new ArrayList<>();
      for (double[] s : r.timeline()) {
        t.add(s);
      }
      m.put("timeline", t);
    }
    return m;
  }

  /** The run's configuration as a JSON-ready map. */
  public static Map<String, Object> configMap(BenchConfig cfg, String mode) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("benchmarks", cfg.benchmarks().stream().map(Workload::label).toList());
    m.put("num", cfg.num());
    m.put("reads", cfg.readOps());
    m.put("key_size", cfg.keySize());
    m.put("value_size", cfg.valueSize());
    m.put("threads", cfg.threads());
    m.put("cache_size", cfg.cacheSize());
    m.put("durability", cfg.durability().name());
    m.put("compression", cfg.compression().name());
    m.put("node_size", cfg.nodeSize());
    m.put("basement_size", cfg.basementSize());
    m.put("seek_nexts", cfg.seekNexts());
    m.put("seed", cfg.seed());
    m.put("mode", mode);
    m.put("java", System.getProperty("java.version"));
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    return m;
  }
}
