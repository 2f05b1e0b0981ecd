package dev.sapwood.bench;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What one ascending (or random) put costs: one thread puts {@code n} ascending 16-byte keys, or
 * the same keys in the bench's fillrandom order ({@link KeySpace#permuted}), with the bench's
 * 100-byte values ({@link KeySpace}, {@link ValueSource}) through the public API into a fresh
 * database (default options, 128 MiB cache unless given), and prints the writer thread's CPU, the
 * process's CPU, the wall time and the bytes the writer allocated, each per put, with the counters
 * {@code insert.promoted} and {@code flush.total}. Usage: {@code AscendingPutCost DIR [n]
 * [NONE|ASYNC|SYNC] [ascending|random] [cacheMiB]}.
 * A benchmark, not a test: numbers on a shared machine are noisy; the JIT warm-up is included.
 */
public final class AscendingPutCost {
  private AscendingPutCost() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    Durability d = Durability.valueOf(args.length > 2 ? args[2] : "NONE");
    boolean random = args.length > 3 && args[3].equals("random");
    long cache = (args.length > 4 ? Long.parseLong(args[4]) : 128L) << 20;
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    KeySpace keys = new KeySpace(16, n, 1);
    ValueSource values = new ValueSource(100, 1);
    long me = Thread.currentThread().getId();
    try (Database db = Database.open(dir, Options.defaults().durability(d).cacheSize(cache))) {
      Tree t = db.tree("default");
      long cpu0 = threads.getCurrentThreadCpuTime();
      long proc0 = os.getProcessCpuTime();
      long alloc0 = threads.getThreadAllocatedBytes(me);
      long wall0 = System.nanoTime();
      for (long i = 0; i < n; i++) {
        t.put(keys.key(random ? keys.permuted(i) : i), values.value(i, 0));
      }
      long wall = System.nanoTime() - wall0;
      long cpu = threads.getCurrentThreadCpuTime() - cpu0;
      long proc = os.getProcessCpuTime() - proc0;
      long alloc = threads.getThreadAllocatedBytes(me) - alloc0;
      Stats s = db.stats();
      System.out.printf(Locale.ROOT,
          "%s %s: writer CPU %.3f us/put, process CPU %.3f us/put, wall %.3f us/put, writer allocated %.0f B/put,"
              + " insert.promoted %d, flush.total %d%n",
          d, random ? "random" : "ascending", cpu / 1e3 / n, proc / 1e3 / n, wall / 1e3 / n, alloc / (double) n,
          s.counters().getOrDefault("insert.promoted", -1L), s.counters().getOrDefault("flush.total", -1L));
    }
  }
}
