package dev.sapwood.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Process counters from Linux /proc: bytes this process caused to be written to the storage layer
 * ({@code write_bytes - cancelled_write_bytes} of /proc/self/io, all threads, so background flush
 * and compaction threads count), resident set size and its peak (VmRSS, VmHWM of
 * /proc/self/status), CPU time (/proc/self/stat). Elsewhere every value is -1.
 */
public final class ProcStats {
  private ProcStats() {}

  /** Net bytes written to storage by this process so far, or -1 if unknown. */
  public static long writtenBytes() {
    long w = field(Path.of("/proc/self/io"), "write_bytes:");
    long c = field(Path.of("/proc/self/io"), "cancelled_write_bytes:");
    return w < 0 ? -1 : w - Math.max(0, c);
  }

  /** Peak resident set size in bytes (since start or the last {@link #resetPeakRss}), or -1. */
  public static long peakRss() {
    long kb = field(Path.of("/proc/self/status"), "VmHWM:");
    return kb < 0 ? -1 : kb << 10;
  }

  /** Current resident set size in bytes, or -1. */
  public static long rss() {
    long kb = field(Path.of("/proc/self/status"), "VmRSS:");
    return kb < 0 ? -1 : kb << 10;
  }

  /** Resets the peak RSS to the current RSS (Linux: "5" to /proc/self/clear_refs); false if not possible. */
  public static boolean resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /**
   * CPU time this process has used so far, user plus system, all threads (utime + stime of
   * /proc/self/stat, in clock ticks of 10 ms), in nanoseconds; -1 if unknown.
   */
  public static long cpuNanos() {
    try {
      String s = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
      String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
      // after "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Stop-the-world garbage-collection time of this JVM so far, in seconds: the sum of the
   * collection times of its collectors, leaving out the concurrent cycles' beans (named
   * "... Concurrent ...", or "... Cycles" for ZGC and Shenandoah), which run beside the
   * application rather than pausing it. 0 when the JVM reports none.
   */
  public static double gcPauseSeconds() {
    long ms = 0;
    for (java.lang.management.GarbageCollectorMXBean b
        : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      String n = b.getName();
      if (n.contains("Concurrent") || n.endsWith("Cycles")) {
        continue;
      }
      ms += Math.max(0, b.getCollectionTime());
    }
    return ms / 1e3;
  }

  /** Sum of the sizes of the regular files under {@code dir}. */
  public static long diskBytes(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // a file removed while walking (a compaction's input) holds no space
        }
      }).sum();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("sizing " + dir, e);
    }
  }

  private static long field(Path file, String name) {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        if (line.startsWith(name)) {
          String v = line.substring(name.length()).trim();
          int sp = v.indexOf(' ');
          return Long.parseLong(sp < 0 ? v : v.substring(0, sp));
        }
      }
      return -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }
}
