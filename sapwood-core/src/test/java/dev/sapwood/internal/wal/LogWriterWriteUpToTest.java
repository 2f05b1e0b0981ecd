package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.util.BigEndian;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link LogWriter#write(long)}: a writer waits for the frame holding its own record, not for the
 * records others appended after it, and every record a returned call covers survives a killed
 * process.
 */
class LogWriterWriteUpToTest {
  private static final Path DIR = Path.of("/wal");
  private final MemoryFileIo io = new MemoryFileIo();
  private final Counters counters = new Counters();

  @Test
  void aRecordAlreadyInAWrittenFrameNeedsNoFurtherWrite() {
    try (LogWriter w = new LogWriter(io, DIR, 1, 64L << 20, counters)) {
      long a = w.append(new byte[] {1}, 0, 1);
      long b = w.append(new byte[] {2}, 0, 1);
      w.write(a); // writes everything buffered: b too
      assertEquals(1, counters.value("log.frames"));
      w.append(new byte[] {3}, 0, 1);
      w.write(b); // b went out with a: the record appended since is not written now
      assertEquals(1, counters.value("log.frames"));
      byte[] killed = io.contents(io.list(DIR).get(0));
      w.write();
      assertEquals(2, counters.value("log.frames"));
      MemoryFileIo after = new MemoryFileIo();
      after.setContents(io.list(DIR).get(0), killed);
      assertEquals(2, LogReader.recover(after, DIR, 1, (lsn, p) -> {}).replayed());
    }
  }

  /**
   * The model: several writers append records of random sizes and call {@code write(lsn)} for
   * each; at random moments the log's files are copied as a killed process would leave them. Every
   * record whose {@code write(lsn)} had returned before the copy began is recovered, every
   * recovered record is the one appended under its LSN, LSNs dense from the first.
   */
  @Test
  void everyRecordAWriterWasToldIsWrittenSurvivesAKilledProcess() throws Exception {
    long seed = System.nanoTime();
    System.out.println("LogWriterWriteUpToTest seed " + seed);
    Random random = new Random(seed);
    int threads = 4;
    int each = 3000;
    AtomicLongArray told = new AtomicLongArray(threads); // the last LSN each thread's write returned for
    AtomicReference<Throwable> failed = new AtomicReference<>();
    try (LogWriter w = new LogWriter(io, DIR, 0, 32 << 10, counters)) {
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        told.set(id, -1);
        ts.add(new Thread(() -> {
          try {
            for (int i = 0; i < each; i++) {
              byte[] p = record(seed, id, i);
              long lsn = w.append(p, 0, p.length);
              w.write(lsn);
              told.set(id, lsn);
            }
          } catch (Throwable e) {
            failed.set(e);
          }
        }));
      }
      ts.forEach(Thread::start);
      int kills = 0;
      while (ts.stream().anyMatch(Thread::isAlive)) {
        long toldBefore = -1; // read before the copy begins
        for (int t = 0; t < threads; t++) {
          toldBefore = Math.max(toldBefore, told.get(t));
        }
        MemoryFileIo killed = new MemoryFileIo();
        for (Path p : io.list(DIR)) {
          killed.setContents(p, io.contents(p));
        }
        checkRecovery(killed, seed, threads, toldBefore, "seed " + seed + ", kill " + kills++);
        Thread.sleep(random.nextInt(3));
      }
      for (Thread t : ts) {
        t.join();
      }
      assertTrue(kills > 0);
    }
    if (failed.get() != null) {
      throw new AssertionError("seed " + seed, failed.get());
    }
    checkRecovery(io, seed, threads, (long) threads * each - 1, "seed " + seed + ", closed");
  }

  /** Thread {@code id}'s {@code i}-th record: its id, its index, then bytes drawn from both. */
  private static byte[] record(long seed, int id, int i) {
    Random r = new Random(seed ^ ((long) id << 32 | i));
    byte[] p = new byte[8 + r.nextInt(300)];
    r.nextBytes(p);
    BigEndian.putInt(p, 0, id);
    BigEndian.putInt(p, 4, i);
    return p;
  }

  /**
   * Recovers {@code killed}: LSNs dense from 0, each thread's records whole and in its order, and
   * every LSN up to {@code told} there (frames go out in LSN order, so a write returned for LSN x
   * means every LSN up to x is written).
   */
  private static void checkRecovery(MemoryFileIo killed, long seed, int threads, long told, String what) {
    long[] expected = {0};
    int[] next = new int[threads];
    LogReader.Result r = LogReader.recover(killed, DIR, 0, (lsn, p) -> {
      assertEquals(expected[0]++, lsn, what);
      byte[] b = p.bytes(p.length(), "p");
      int id = BigEndian.getInt(b, 0);
      assertArrayEquals(record(seed, id, next[id]++), b, what + ": LSN " + lsn);
    });
    assertTrue(r.nextLsn() - 1 >= told, what + ": recovered up to " + (r.nextLsn() - 1) + ", a writer was told " + told);
  }
}
