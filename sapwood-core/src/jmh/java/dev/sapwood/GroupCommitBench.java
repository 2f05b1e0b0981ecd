package dev.sapwood;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Group commit, measured (a tool, not a test): small SYNC single writes to a real directory from 1
 * thread, then from 8, for a few seconds each; prints writes per second and fsyncs per write
 * ({@code log.fsyncs} / {@code log.records}). Run by hand:
 *
 * <pre>
 * mvn -q -o -Pjmh test-compile -pl sapwood-core
 * java -cp sapwood-core/target/classes:sapwood-core/target/test-classes:$(deps) dev.sapwood.GroupCommitBench [dir] [seconds]
 * </pre>
 */
public final class GroupCommitBench {
  private GroupCommitBench() {}

  public static void main(String[] args) throws Exception {
    Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("sapwood-groupcommit");
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    for (int threads : new int[] {1, 8}) {
      Path dir = base.resolve("t" + threads);
      try (Database db = Database.open(dir, Options.defaults().durability(Durability.SYNC))) {
        Tree t = db.tree("bench");
        long fsyncs0 = db.stats().get("log.fsyncs");
        long records0 = db.stats().get("log.records");
        LongAdder writes = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          int id = i;
          all.add(new Thread(() -> {
            byte[] v = new byte[32];
            for (long n = 0; !stop.get(); n++) {
              t.put(String.format("%02d-%012d", id, n).getBytes(java.nio.charset.StandardCharsets.US_ASCII), v);
              writes.increment();
            }
          }));
        }
        long start = System.nanoTime();
        all.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread th : all) {
          th.join();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long fsyncs = db.stats().get("log.fsyncs") - fsyncs0;
        long records = db.stats().get("log.records") - records0;
        System.out.printf("%d thread(s): %,.0f SYNC writes/s, %.3f fsyncs per write (%,d fsyncs, %,d records)%n",
            threads, writes.sum() / secs, (double) fsyncs / Math.max(1, records), fsyncs, records);
      }
    }
  }
}
