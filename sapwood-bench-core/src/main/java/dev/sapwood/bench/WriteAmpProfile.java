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
 * changes.
 *
 * <p>Usage: {@code WriteAmpProfile <keys> <cache> <newDir>}, e.g. {@code 2M 32M /tmp/wa}; 16-byte keys (random, from a space
 * four times the count), 100-byte values half compressible, ASYNC, one thread.
 */
public final class WriteAmpProfile {
  private WriteAmpProfile() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: WriteAmpProfile <keys (2M)> <cache (32M)> <newDir>");
      System.exit(2);
    }
    long n = Sizes.count(args[0]);
    long cache = Sizes.bytes(args[1]);
    Path dir = Path.of(args[2]);
    if (Files.exists(dir)) {
      System.err.println(dir + " exists");
      System.exit(2);
    }
    long t0 = System.nanoTime();
    try (Database db = Database.open(dir, Options.defaults().cacheSize(cache).durability(Durability.ASYNC))) {
      Tree t = db.tree("data");
      SplittableRandom r = new SplittableRandom(7);
      byte[] k = new byte[16];
      byte[] v = new byte[100];
      for (long i = 0; i < n; i++) {
        long x = r.nextLong(n * 4);
        for (int j = 0; j < 8; j++) {
          k[j] = (byte) (x >>> (56 - 8 * j));
        }
        for (int j = 0; j < 50; j++) {
          v[j] = (byte) r.nextInt();
        }
        t.put(k, v);
      }
      double user = n * 116.0;
      Stats s = db.stats();
      long node = s.get("node.bytes_written");
      long leaf = s.get("node.leaf_bytes_written");
      System.out.printf(Locale.ROOT, "keys %d  cache %d MiB  %.1f s%n", n, cache >> 20, (System.nanoTime() - t0) / 1e9);
      System.out.printf(Locale.ROOT, "bytes written per user byte: log %.2f  nodes %.2f (leaves %.2f, internal %.2f)"
          + "  of which checkpoints %.2f%n", s.get("log.bytes_written") / user, node / user, leaf / user,
          (node - leaf) / user, s.get("checkpoint.node_bytes_written") / user);
      System.out.printf(Locale.ROOT, "nodes read %d  dirty write-backs at eviction %d  checkpoints %d (space-triggered %d)%n",
          s.get("node.read"), s.get("cache.evicted_dirty_writes"), s.get("checkpoint.count"),
          s.get("checkpoint.space_triggered"));
    }
  }
}
