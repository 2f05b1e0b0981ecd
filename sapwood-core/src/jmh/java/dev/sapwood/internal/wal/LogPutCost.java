package dev.sapwood.internal.wal;

import dev.sapwood.internal.io.NioFileIo;
import dev.sapwood.internal.stats.Counters;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The log's share of a lone ASYNC writer's put, measured (a tool, not a test): one thread appends
 * fillseq-like 122-byte records (a 6-byte record head, an ascending 16-byte key, a 100-byte value
 * sliced from a pool of 32-byte blocks that repeat 16 random bytes, like the bench's values) and
 * hands each to the operating system ({@link LogWriter#write}) before the next, as {@code put}
 * does under ASYNC; prints the writer thread's CPU per record and the log bytes per record, with
 * the segments compressed (the default) and not. Run by hand, on a real directory:
 *
 * <pre>
 * mvn -q -o -Pjmh test-compile -pl sapwood-core
 * java -cp sapwood-core/target/classes:sapwood-core/target/test-classes:$(deps) \
 *   dev.sapwood.internal.wal.LogPutCost [dir] [records] [rounds]
 * </pre>
 */
public final class LogPutCost {
  private LogPutCost() {}

  public static void main(String[] args) throws Exception {
    Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("sapwood-logputcost");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    byte[] pool = new byte[1 << 20];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < pool.length; i += 32) {
      for (int j = 0; j < 16; j++) {
        pool[i + j] = (byte) r.nextInt(256);
        pool[i + j + 16] = pool[i + j];
      }
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    byte[] rec = new byte[122];
    for (int round = 0; round < rounds; round++) {
      for (boolean compress : new boolean[] {true, false}) {
        Path dir = base.resolve("r" + round + (compress ? "z" : "p"));
        Counters counters = new Counters();
        long cpu;
        try (LogWriter w = new LogWriter(new NioFileIo(), dir, 1, 64L << 20, counters, compress)) {
          long c0 = threads.getCurrentThreadCpuTime();
          for (int i = 0; i < n; i++) {
            rec[0] = 1;
            rec[3] = 16;
            for (int b = 0; b < 8; b++) {
              rec[4 + b] = (byte) (i >>> (56 - 8 * b));
            }
            rec[20] = 100;
            long h = i * 0x9E3779B97F4A7C15L;
            int off = (int) (((h ^ (h >>> 29)) & Long.MAX_VALUE) % (pool.length - 100));
            System.arraycopy(pool, off, rec, 22, 100);
            w.append(rec, 0, rec.length);
            w.write();
          }
          cpu = threads.getCurrentThreadCpuTime() - c0;
        }
        System.out.printf("compressed=%-5s writer CPU %6.0f ns/record, log %5.1f bytes/record%n", compress,
            cpu / (double) n, counters.snapshot().get("log.bytes_written") / (double) n);
      }
    }
  }
}
