package dev.sapwood.bench;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The latency a writer sees while maintenance runs: loads a database of {@code keys} random keys,
 * deletes half of them, then times every put of one writer thread through three phases — idle,
 * {@code Database.optimize()} (called by reflection, so the harness also runs against builds
 * without it) after a fresh batch of buffered writes, and {@code Database.compact()} — and prints
 * p50, p99, p99.9 and max per phase. Usage: {@code MaintenanceLatency DIR [keys] [quiet]}; {@code
 * quiet} runs the same phases with no writer, for the maintenance's own duration. Keys are 16
 * bytes, values 100. A benchmark, not a test: numbers on a shared machine are noisy.
 */
public final class MaintenanceLatency {
  private MaintenanceLatency() {}

  /** No writer thread: the phases alone. */
  private static boolean quiet;

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int keys = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    quiet = args.length > 2 && args[2].equals("quiet");
    wipe(dir);
    Options options = Options.defaults().durability(Durability.NONE).cacheSize(64L << 20);
    try (Database db = Database.open(dir, options)) {
      Tree t = db.tree("t");
      Random rnd = new Random(42);
      byte[] value = new byte[100];
      for (int i = 0; i < keys; i++) {
        t.put(key(rnd.nextInt(keys * 4)), value);
      }
      db.checkpoint();
      for (int i = 0; i < keys / 2; i++) {
        t.delete(key(rnd.nextInt(keys * 4)));
      }
      for (int i = 0; i < keys / 4; i++) {
        t.put(key(rnd.nextInt(keys * 4)), value);
      }
      phase(db, "idle 3 s", t, keys, () -> sleep(3000));
      java.lang.reflect.Method optimize = optimizeMethod();
      if (optimize != null) {
        phase(db, "optimize", t, keys, () -> {
          try {
            optimize.invoke(db);
          } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
          }
        });
      }
      phase(db, "compact", t, keys, db::compact);
    }
    wipe(dir);
  }

  private static java.lang.reflect.Method optimizeMethod() {
    try {
      return Database.class.getMethod("optimize");
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /** Latency buckets of 1 µs up to 1 s; longer ones share the last (the maximum is kept apart). */
  private static final int BUCKETS = 1_000_000;

  /** Runs {@code work} while a writer puts random keys, timing each put; prints the figures. */
  private static void phase(Database db, String name, Tree t, int keys, Runnable work) throws InterruptedException {
    long[] counts = new long[BUCKETS];
    long[] total = {0, 0}; // puts, max nanos
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      Random rnd = new Random(name.hashCode());
      byte[] value = new byte[100];
      while (!stop.get()) {
        byte[] k = key(rnd.nextInt(keys * 4));
        long s = System.nanoTime();
        t.put(k, value);
        long d = System.nanoTime() - s;
        counts[(int) Math.min(BUCKETS - 1, d / 1000)]++;
        total[0]++;
        total[1] = Math.max(total[1], d);
      }
    });
    if (!quiet) {
      writer.start();
    }
    long start = System.nanoTime();
    work.run();
    double secs = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    writer.join();
    System.out.printf(Locale.ROOT, "%-10s %6.1f s  puts %,10d  p50 %,7d us  p99 %,8d us  p99.9 %,9d us  max %,10.1f us%n",
        name, secs, total[0], at(counts, total[0], 0.50), at(counts, total[0], 0.99), at(counts, total[0], 0.999), total[1] / 1e3);
    var st = db.stats();
    System.out.printf(Locale.ROOT, "           so far: optimize.step_micros_max %,d, checkpoint.phase_wait_micros_max %,d, flush.by_writers %,d%n",
        st.get("optimize.step_micros_max"), st.get("checkpoint.phase_wait_micros_max"), st.get("flush.by_writers"));
    System.out.printf(Locale.ROOT, "           compact: walks %,d, drain %,d ms, rounds %,d, relocation %,d ms; blocks moved %,d, busy %,d,"
        + " overtaken %,d, no room %,d; file %,d MiB%n",
        st.get("compact.walks"), st.get("compact.drain_micros") / 1000,
        st.get("compact.rounds"), st.get("compact.relocate_micros") / 1000,
        st.get("store.relocated_blocks"), st.get("store.relocation_busy"),
        st.get("store.relocation_overtaken"), st.get("store.relocation_no_room"),
        st.get("store.file_bytes") >> 20);
  }

  /** The bucket (µs) holding quantile {@code q} of {@code n} values. */
  private static long at(long[] counts, long n, double q) {
    long want = (long) Math.ceil(q * n);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= want && want > 0) {
        return i;
      }
    }
    return 0;
  }

  private static byte[] key(int i) {
    return String.format(Locale.ROOT, "key%013d", i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void wipe(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
