// Reads per get beyond the cache: opens an existing `sapwood bench` database (tree "data", keys of
// `KeySpace`: the key number big-endian in the first 8 of 16 bytes), runs two rounds of N uniform
// random gets (the first warms the cache) and prints, per get, the change of every cache.*, node.read
// and read.* counter in each round (frame peeks, split into buffer and basement frame peeks; delta
// peeks and filter skips; buffer filter skips and passes; partial fetches...).
// Usage: java -cp "sapwood-cli/target/sapwood-cli.jar:sapwood-cli/target/lib/*" bench/ReadCount.java DIR NUM N CACHE_MIB
import dev.sapwood.*;
import java.nio.file.Path;
import java.util.*;

public class ReadCount {
  public static void main(String[] a) throws Exception {
    Path dir = Path.of(a[0]);
    long num = Long.parseLong(a[1]);
    int n = Integer.parseInt(a[2]);
    long cache = Long.parseLong(a[3]) << 20;
    try (Database db = Database.open(dir, Options.defaults().cacheSize(cache))) {
      Tree t = db.tree("data");
      Random r = new Random(7);
      for (int round = 0; round < 2; round++) {
        Map<String, Long> before = new TreeMap<>(db.stats().counters());
        long t0 = System.nanoTime();
        int found = 0;
        for (int i = 0; i < n; i++) {
          long k = (r.nextLong() & Long.MAX_VALUE) % num;
          byte[] key = new byte[16];
          for (int j = 7; j >= 0; j--) { key[j] = (byte) k; k >>>= 8; }
          if (t.get(key) != null) found++;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("round %d: %d gets, found %d, %.0f ops/s%n", round, n, found, n / secs);
        Map<String, Long> after = db.stats().counters();
        for (var e : after.entrySet()) {
          long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
          if (d != 0 && (e.getKey().startsWith("cache.") || e.getKey().startsWith("node.read") || e.getKey().startsWith("read."))) {
            System.out.printf("  %-32s %12d  %8.3f per get%n", e.getKey(), d, d / (double) n);
          }
        }
      }
    }
  }
}
