// Reads per get (or per seek) beyond the cache: opens an existing `sapwood bench` database (tree
// "data", keys of `KeySpace`: the key number big-endian in the first 8 of 16 bytes), runs two rounds
// of N uniform random gets, or seeks each followed by 10 nexts (the first round warms the cache), and
// prints per operation the reader thread's CPU time and bytes allocated, and the change of every
// cache.*, node.read and read.* counter in each round (frame peeks, split into buffer and basement
// frame peeks; delta peeks and filter skips; buffer filter skips and passes; partial fetches...).
// Also the process's CPU time per op (the collector's threads included) and the collectors' time.
// SHARE (or -Dshare=0.75): that share of the cache as the off-heap tier of compressed frames (`bounded` gives 2/3 of 3/4 of its budget).
// Usage: java -cp "sapwood-cli/target/sapwood-cli.jar:sapwood-cli/target/lib/*" bench/ReadCount.java DIR NUM N CACHE_MIB [get|seek] [SHARE]
import dev.sapwood.*;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.*;

public class ReadCount {
  public static void main(String[] a) throws Exception {
    Path dir = Path.of(a[0]);
    long num = Long.parseLong(a[1]);
    int n = Integer.parseInt(a[2]);
    long cache = Long.parseLong(a[3]) << 20;
    boolean seek = a.length > 4 && a[4].equals("seek");
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double share = a.length > 5 ? Double.parseDouble(a[5]) : Double.parseDouble(System.getProperty("share", "0"));
    Options opts = Options.defaults().cacheSize(cache);
    if (share > 0) {
      opts = opts.offHeapCacheShare(share);
    }
    try (Database db = Database.open(dir, opts)) {
      Tree t = db.tree("data");
      Random r = new Random(7);
      for (int round = 0; round < 2; round++) {
        Map<String, Long> before = new TreeMap<>(db.stats().counters());
        long t0 = System.nanoTime();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long user0 = threads.getCurrentThreadUserTime();
        long alloc0 = threads.getThreadAllocatedBytes(self);
        long proc0 = os.getProcessCpuTime();
        long gc0 = gcMillis();
        long[] io0 = procIo();
        int found = 0;
        for (int i = 0; i < n; i++) {
          long k = (r.nextLong() & Long.MAX_VALUE) % num;
          byte[] key = new byte[16];
          for (int j = 7; j >= 0; j--) { key[j] = (byte) k; k >>>= 8; }
          if (!seek) {
            if (t.get(key) != null) found++;
            continue;
          }
          try (Cursor c = t.cursor()) {
            if (c.seek(key)) {
              found++;
              c.value();
              for (int j = 0; j < 10 && c.next(); j++) {
                c.value();
              }
            }
          }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpuUs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
        double userUs = (threads.getCurrentThreadUserTime() - user0) / 1e3 / n;
        double alloc = (threads.getThreadAllocatedBytes(self) - alloc0) / (double) n;
        double procUs = (os.getProcessCpuTime() - proc0) / 1e3 / n;
        long gcMs = gcMillis() - gc0;
        System.out.printf("round %d: %d %s, found %d, %.0f ops/s, %.1f us CPU (user %.1f) and %.0f bytes allocated per op; process CPU %.1f us per op, GC %d ms (%.1f%%)%n",
            round, n, seek ? "seeks (10 nexts)" : "gets", found, n / secs, cpuUs, userUs, alloc, procUs, gcMs, gcMs / (secs * 10));
        long[] io1 = procIo();
        System.out.printf("  read syscalls %.3f and %.0f bytes read (rchar) per op%n", (io1[0] - io0[0]) / (double) n, (io1[1] - io0[1]) / (double) n);
        Map<String, Long> after = db.stats().counters();
        for (var e : after.entrySet()) {
          long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
          if (d != 0 && (e.getKey().startsWith("cache.") || e.getKey().startsWith("node.read") || e.getKey().startsWith("read.")
              || e.getKey().startsWith("io.read"))) {
            System.out.printf("  %-32s %12d  %8.3f per op%n", e.getKey(), d, d / (double) n);
          }
        }
      }
    }
  }

  private static long gcMillis() {
    long t = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      t += Math.max(0, gc.getCollectionTime());
    }
    return t;
  }

  /** The process's read syscalls and bytes read so far (/proc/self/io: syscr, rchar), or zeros. */
  private static long[] procIo() {
    long[] out = new long[2];
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/io"))) {
        if (line.startsWith("syscr:")) {
          out[0] = Long.parseLong(line.substring(6).trim());
        } else if (line.startsWith("rchar:")) {
          out[1] = Long.parseLong(line.substring(6).trim());
        }
      }
    } catch (Exception e) {
      // not Linux: zeros
    }
    return out;
  }
}
