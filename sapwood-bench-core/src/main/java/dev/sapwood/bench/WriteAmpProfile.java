package dev.sapwood.bench;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Where Sapwood's writes go during a random fill, from the engine's own counters: log bytes, leaf
 * bytes and internal-node bytes written, each per user byte, and what checkpoints and eviction
 * wrote. Unlike the bench's write amplification (what the process wrote, from {@code /proc}), it
 * splits the node writes by height, which is what the cache's treatment of internal nodes
 * changes; and it tells what writing less than a whole node would save: the share of node bytes
 * whose partitions the node's last image held unchanged ({@code node_write.*}), and the size of a
 * flush into a leaf against the leaf's ({@code flush.leaf_*}).
 *
 * <p>Usage: {@code WriteAmpProfile <keys> <cache> <newDir> [--keys PATTERN] [--node-size B]
 * [--basement-size B] [--fanout N] [--reads N]}, e.g. {@code 2M 32M /tmp/wa --keys hot:0.1:0.9}; 16-byte keys
 * drawn by {@link KeyPattern} (default uniform, from a space four times the count), 100-byte
 * values half compressible, ASYNC, one thread; shape options default to {@link Options#defaults()}.
 * With {@code --reads N}, N gets of keys drawn the same way follow the fill, and the leaf-delta
 * read counters (filter skips and passes, peeks, fetches) are printed for them.
 */
public final class WriteAmpProfile {
  private WriteAmpProfile() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3 || args.length % 2 == 0) {
      System.err.println("usage: WriteAmpProfile <keys (2M)> <cache (32M)> <newDir> [--keys uniform|hot:F:P|zipf:T|seq:W]"
          + " [--node-size B] [--basement-size B] [--fanout N]");
      System.exit(2);
    }
    long n = Sizes.count(args[0]);
    long cache = Sizes.bytes(args[1]);
    Path dir = Path.of(args[2]);
    Options options = Options.defaults().cacheSize(cache).durability(Durability.ASYNC);
    String pattern = "uniform";
    long reads = 0;
    for (int a = 3; a < args.length; a += 2) {
      switch (args[a]) {
        case "--keys" -> pattern = args[a + 1];
        case "--node-size" -> options = options.nodeSize((int) Sizes.bytes(args[a + 1]));
        case "--basement-size" -> options = options.basementSize((int) Sizes.bytes(args[a + 1]));
        case "--fanout" -> options = options.fanout(Integer.parseInt(args[a + 1]));
        case "--reads" -> reads = Sizes.count(args[a + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[a]);
      }
    }
    if (Files.exists(dir)) {
      System.err.println(dir + " exists");
      System.exit(2);
    }
    KeyPattern keys = KeyPattern.parse(pattern, n);
    long t0 = System.nanoTime();
    try (Database db = Database.open(dir, options)) {
      Tree t = db.tree("data");
      SplittableRandom r = new SplittableRandom(7);
      byte[] k = new byte[16];
      byte[] v = new byte[100];
      for (long i = 0; i < n; i++) {
        long x = keys.next(r);
        for (int j = 0; j < 8; j++) {
          k[j] = (byte) (x >>> (56 - 8 * j));
        }
        for (int j = 0; j < 50; j++) {
          v[j] = (byte) r.nextInt();
        }
        t.put(k, v);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      report(db.stats(), n, cache, pattern, secs);
      if (reads > 0) {
        read(db, t, KeyPattern.parse(pattern, n), n, reads);
      }
    }
  }

  /** Gets of every (n / reads)-th key the fill put, drawn again from the fill's seed: keys that exist. */
  private static void read(Database db, Tree t, KeyPattern keys, long n, long reads) {
    Stats before = db.stats();
    SplittableRandom r = new SplittableRandom(7);
    byte[] k = new byte[16];
    long found = 0;
    long stride = Math.max(1, n / reads);
    long t0 = System.nanoTime();
    for (long i = 0; i < n; i++) {
      long x = keys.next(r);
      for (int j = 0; j < 50; j++) {
        r.nextInt(); // the value bytes the fill drew
      }
      if (i % stride != 0) {
        continue;
      }
      for (int j = 0; j < 8; j++) {
        k[j] = (byte) (x >>> (56 - 8 * j));
      }
      found += t.get(k) != null ? 1 : 0;
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Stats s = db.stats();
    System.out.printf(Locale.ROOT, "gets %d (found %d) %.0f/s: delta filter skips %d, passes %d, delta peeks %d,"
        + " delta fetches %d, frame peeks %d%n", n / stride, found, n / stride / secs,
        s.get("cache.delta_filter_skips") - before.get("cache.delta_filter_skips"),
        s.get("cache.delta_filter_passes") - before.get("cache.delta_filter_passes"),
        s.get("cache.delta_peeks") - before.get("cache.delta_peeks"),
        s.get("cache.delta_fetches") - before.get("cache.delta_fetches"),
        s.get("cache.frame_peeks") - before.get("cache.frame_peeks"));
  }

  private static void report(Stats s, long n, long cache, String pattern, double secs) {
    double user = n * 116.0;
    long node = s.get("node.bytes_written");
    long leaf = s.get("node.leaf_bytes_written");
    System.out.printf(Locale.ROOT, "keys %d (%s)  cache %d MiB  %.1f s  %.0f puts/s%n", n, pattern, cache >> 20, secs, n / secs);
    System.out.printf(Locale.ROOT, "bytes written per user byte: log %.2f  nodes %.2f (leaves %.2f, internal %.2f)"
        + "  of which checkpoints %.2f%n", s.get("log.bytes_written") / user, node / user, leaf / user,
        (node - leaf) / user, s.get("checkpoint.node_bytes_written") / user);
    System.out.printf(Locale.ROOT, "nodes read %d  dirty write-backs at eviction %d  checkpoints %d (space-triggered %d)%n",
        s.get("node.read"), s.get("cache.evicted_dirty_writes"), s.get("checkpoint.count"),
        s.get("checkpoint.space_triggered"));
    long unchanged = s.get("node_write.bytes_unchanged");
    long leafUnchanged = s.get("node_write.leaf_bytes_unchanged");
    System.out.printf(Locale.ROOT, "node writes %d (leaves %d, mean leaf write %.1f KiB): partitions unchanged %d of %d"
        + " (leaves %d of %d); bytes unchanged %.2f%% of node bytes (leaves %.2f%% of leaf bytes, internal %.2f%%"
        + " of internal bytes)%n", s.get("node.written"), s.get("node_write.leaves"),
        leaf / 1024.0 / Math.max(1, s.get("node_write.leaves")),
        s.get("node_write.partitions_unchanged"), s.get("node_write.partitions_total"),
        s.get("node_write.leaf_partitions_unchanged"), s.get("node_write.leaf_partitions_total"),
        pct(unchanged, node), pct(leafUnchanged, leaf), pct(unchanged - leafUnchanged, node - leaf));
    long internalWrites = s.get("node.written") - s.get("node_write.leaves");
    System.out.printf(Locale.ROOT, "internal node writes %d: mean %.1f KiB, of which buffer filters %.1f KiB (%.2f%% of"
        + " internal bytes)%n", internalWrites, (node - leaf) / 1024.0 / Math.max(1, internalWrites),
        s.get("node_write.buffer_filter_bytes") / 1024.0 / Math.max(1, internalWrites),
        pct(s.get("node_write.buffer_filter_bytes"), node - leaf));
    long flushes = Math.max(1, s.get("flush.to_leaf"));
    double in = s.get("flush.leaf_bytes_in") / (double) flushes;
    double size = s.get("flush.leaf_bytes_before") / (double) flushes;
    System.out.printf(Locale.ROOT, "flushes into leaves %d: mean in %.1f KiB, mean leaf before %.1f KiB, leaf/in %.1f;"
        + " basements rebuilt %d of %d (%.1f%%)%n", s.get("flush.to_leaf"), in / 1024, size / 1024, size / in,
        s.get("flush.leaf_basements_rebuilt"), s.get("flush.leaf_basements_total"),
        pct(s.get("flush.leaf_basements_rebuilt"), s.get("flush.leaf_basements_total")));
    System.out.printf(Locale.ROOT, "flushes %d (to leaves %d)  flushed bytes per user byte %.2f  messages combined %d%n",
        s.get("flush.total"), s.get("flush.to_leaf"), s.get("flush.bytes") / user, s.get("tree.messages_combined"));
    System.out.printf(Locale.ROOT, "leaf deltas: appends %d, consolidations %d, bytes appended per user byte %.2f,"
        + " delta blocks written %d (%.2f bytes per user byte), delta fetches %d, peeks %d,"
        + " index writes %d (%.3f bytes per user byte), filter skips %d, passes %d%n",
        s.get("flush.leaf_delta_appends"), s.get("flush.leaf_consolidations"), s.get("flush.leaf_delta_bytes_in") / user,
        s.get("node_write.deltas"), s.get("node_write.delta_bytes") / user, s.get("cache.delta_fetches"),
        s.get("cache.delta_peeks"), s.get("node_write.delta_indexes"), s.get("node_write.delta_index_bytes") / user,
        s.get("cache.delta_filter_skips"), s.get("cache.delta_filter_passes"));
  }

  private static double pct(long part, long whole) {
    return whole == 0 ? 0 : 100.0 * part / whole;
  }
}
