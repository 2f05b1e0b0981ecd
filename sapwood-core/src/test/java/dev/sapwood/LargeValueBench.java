package dev.sapwood;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Write amplification of large values, measured (a tool, not a test): puts values of one size in
 * random key order into a fresh database with default options, checkpointing every 32 MiB put
 * (as the 60-second checkpoint would in a longer run), then closes it; prints the node bytes
 * written per byte put ({@code node.bytes_written}, {@code node.leaf_bytes_written}) and the
 * time. Run by hand:
 *
 * <pre>
 * mvn -q -o test-compile -pl sapwood-core
 * java -cp sapwood-core/target/classes:sapwood-core/target/test-classes:$(deps) dev.sapwood.LargeValueBench [dir] [count:size ...]
 * </pre>
 */
public final class LargeValueBench {
  private LargeValueBench() {}

  public static void main(String[] args) throws Exception {
    Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("sapwood-largevalue");
    List<String> runs = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      runs.add(args[i]);
    }
    if (runs.isEmpty()) {
      runs = List.of("1000000:100", "40:1500000", "150:2000000", "20:16777216");
    }
    System.out.printf("%-18s %10s %12s %12s %8s %8s %8s%n", "run", "user MB", "node MB", "leaf MB",
        "node/user", "leaf/user", "seconds");
    for (String run : runs) {
      int count = Integer.parseInt(run.substring(0, run.indexOf(':')));
      int size = Integer.parseInt(run.substring(run.indexOf(':') + 1));
      Path dir = base.resolve(count + "x" + size);
      long user = 0;
      long start = System.nanoTime();
      Stats stats;
      Random rnd = new Random(count * 31L + size);
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        order.add(i);
      }
      Collections.shuffle(order, rnd);
      byte[] v = new byte[size];
      try (Database db = Database.open(dir, Options.defaults())) {
        Tree t = db.tree("bench");
        long sinceCheckpoint = 0;
        for (int i : order) {
          byte[] k = String.format("key%012d", i).getBytes(StandardCharsets.US_ASCII);
          rnd.nextBytes(v);
          t.put(k, v);
          user += k.length + v.length;
          sinceCheckpoint += k.length + v.length;
          if (sinceCheckpoint >= 32 << 20) {
            db.checkpoint();
            sinceCheckpoint = 0;
          }
        }
        db.checkpoint();
        stats = db.stats();
      }
      double secs = (System.nanoTime() - start) / 1e9;
      long node = stats.get("node.bytes_written");
      long leaf = stats.get("node.leaf_bytes_written");
      System.out.printf("%-18s %10.1f %12.1f %12.1f %8.2f %8.2f %8.1f%n", count + " x " + size, user / 1e6,
          node / 1e6, leaf / 1e6, (double) node / user, (double) leaf / user, secs);
    }
  }
}
