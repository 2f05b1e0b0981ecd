package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.io.ForwardingFileIo;
import dev.sapwood.internal.io.ForwardingIoFile;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A full log segment is fsynced by a rotation thread, not by the writer that filled it; a crash
 * while the rotation is still under way loses only what was not durable, and recovery takes the
 * torn full segment and the segment after it for a torn tail.
 */
class LogRotationTest {
  private static final Path DIR = Path.of("/wal");

  private final MemoryFileIo mem = new MemoryFileIo();
  private final Set<Thread> forcing = ConcurrentHashMap.newKeySet();
  private volatile CountDownLatch holdRotation; // when set, a rotation thread's force waits on it
  private final CountDownLatch rotationWaiting = new CountDownLatch(1);

  private final ForwardingFileIo io = new ForwardingFileIo(mem) {
    @Override
    protected IoFile wrap(IoFile file) {
      return new ForwardingIoFile(file) {
        @Override
        public void force() throws IOException {
          forcing.add(Thread.currentThread());
          CountDownLatch hold = holdRotation;
          if (hold != null && Thread.currentThread().getName().equals("sapwood-log-rotation")) {
            rotationWaiting.countDown();
            try {
              hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          super.force();
        }
      };
    }
  };

  private static byte[] record(int i) {
    byte[] b = new byte[100];
    new java.util.Random(i).nextBytes(b); // incompressible, so that compressed segments fill too
    b[0] = (byte) i;
    b[1] = (byte) (i >> 8);
    b[99] = (byte) (i * 7);
    return b;
  }

  private List<byte[]> recover() {
    List<byte[]> seen = new ArrayList<>();
    LogReader.recover(mem, DIR, 0, (lsn, p) -> seen.add(p.bytes(p.length(), "payload")));
    return seen;
  }

  /**
   * Appends records after {@code last} until the segment fills and a rotation starts, then waits
   * until its thread is held in its fsync (writing on meanwhile could fill the next segment, whose
   * rotation would wait for the held one); returns the last LSN written.
   */
  private long fillOneSegment(LogWriter w, Counters counters, long last) throws InterruptedException {
    while (counters.counter("log.rotations").sum() == 0) {
      last = w.append(record((int) last + 1), 0, 100);
      w.write();
      assertTrue(last < 100_000, "no rotation started");
    }
    assertTrue(rotationWaiting.await(60, TimeUnit.SECONDS), "no rotation thread fsynced the full segment");
    return last;
  }

  @Test
  void theWriterThatFillsASegmentNeverFsyncsIt() {
    Counters counters = new Counters();
    try (LogWriter w = new LogWriter(io, DIR, 0, 4096, counters)) {
      forcing.clear(); // the first segment is started durably by the opening thread
      for (int i = 0; i < 2000; i++) {
        w.append(record(i), 0, 100);
        w.write();
      }
      assertFalse(forcing.contains(Thread.currentThread()), "the writing thread fsynced");
      assertTrue(counters.counter("log.rotations").sum() > 20, "rotations: " + counters.counter("log.rotations").sum());
      assertTrue(forcing.stream().anyMatch(t -> t.getName().equals("sapwood-log-rotation")));
    }
    List<byte[]> seen = recover();
    assertEquals(2000, seen.size());
    for (int i = 0; i < 2000; i++) {
      assertArrayEquals(record(i), seen.get(i), "LSN " + i);
    }
  }

  @Test
  void aSyncWaitsForTheRotationOfTheSegmentBeforeItsOwn() throws Exception {
    Counters counters = new Counters();
    try (LogWriter w = new LogWriter(io, DIR, 0, 4096, counters)) {
      holdRotation = new CountDownLatch(1);
      long last = fillOneSegment(w, counters, -1);
      long lsn = w.append(record((int) last + 1), 0, 100);
      Thread syncer = new Thread(() -> w.sync(lsn));
      syncer.start();
      syncer.join(200);
      assertTrue(w.durableLsn() < lsn, "durable before the full segment was fsynced");
      holdRotation.countDown();
      syncer.join();
      assertTrue(w.durableLsn() >= lsn);
    }
  }

  @Test
  void aCrashBeforeTheRotationFsyncKeepsExactlyWhatWasSynced() throws Exception {
    Counters counters = new Counters();
    LogWriter w = new LogWriter(io, DIR, 0, 4096, counters);
    int synced = 10;
    for (int i = 0; i < synced; i++) {
      w.append(record(i), 0, 100);
    }
    w.sync(synced - 1);
    holdRotation = new CountDownLatch(1);
    int n = (int) fillOneSegment(w, counters, synced - 1) + 1;
    for (int i = 0; i < 20; i++) { // frames in the next segment, claiming nothing new synced
      w.append(record(n), 0, 100);
      w.write();
      n++;
    }
    assertEquals(synced - 1, w.durableLsn());
    mem.crash();
    holdRotation.countDown();
    List<byte[]> seen = recover();
    assertEquals(synced, seen.size(), "records replayed after the crash");
    for (int i = 0; i < synced; i++) {
      assertArrayEquals(record(i), seen.get(i), "LSN " + i);
    }
    assertEquals(1, mem.list(DIR).size(), "the segment after the torn one is dropped: " + mem.list(DIR));
    assertEquals(synced, recover().size(), "recovery is repeatable");
  }
}
