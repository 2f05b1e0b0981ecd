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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Group writes: the records appended before a write go out in one frame, concurrent writers share
 * frames, and every record is read back once, under its LSN, whichever frame carried it.
 */
class LogWriterGroupTest {
  private static final Path DIR = Path.of("/wal");
  private final MemoryFileIo io = new MemoryFileIo();
  private final Counters counters = new Counters();

  @Test
  void recordsAppendedBeforeOneWriteGoOutInOneFrame() {
    try (LogWriter w = new LogWriter(io, DIR, 5, 64L << 20, counters)) {
      for (int i = 0; i < 10; i++) {
        byte[] p = {(byte) i};
        w.append(p, 0, 1);
      }
      w.write();
      w.write(); // nothing left: no empty frame
    }
    assertEquals(1, counters.value("log.frames"));
    List<byte[]> seen = new ArrayList<>();
    LogReader.Result r = LogReader.recover(io, DIR, 5, (lsn, p) -> seen.add(p.bytes(p.length(), "p")));
    assertEquals(10, r.replayed());
    assertEquals(15, r.nextLsn());
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(new byte[] {(byte) i}, seen.get(i));
    }
  }

  @Test
  void concurrentWritersShareFramesAndEveryRecordIsReadBackInItsThreadsOrder() throws Exception {
    int threads = 4;
    int each = 2000;
    AtomicReference<Throwable> failed = new AtomicReference<>();
    try (LogWriter w = new LogWriter(io, DIR, 0, 16 << 10, counters)) { // small: the stream compresses these well
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        ts.add(new Thread(() -> {
          try {
            byte[] p = new byte[8 + id * 40];
            for (int i = 0; i < each; i++) {
              BigEndian.putInt(p, 0, id);
              BigEndian.putInt(p, 4, i);
              w.append(p, 0, p.length);
              if (i % 100 == 99) {
                w.sync(w.nextLsn() - 1);
              } else {
                w.write();
              }
            }
          } catch (Throwable e) {
            failed.set(e);
          }
        }));
      }
      ts.forEach(Thread::start);
      for (Thread t : ts) {
        t.join();
      }
    }
    if (failed.get() != null) {
      throw new AssertionError(failed.get());
    }
    int[] next = new int[threads];
    long[] expected = {0};
    LogReader.Result r = LogReader.recover(io, DIR, 0, (lsn, p) -> {
      assertEquals(expected[0]++, lsn);
      byte[] b = p.bytes(p.length(), "p");
      int id = BigEndian.getInt(b, 0);
      assertEquals(8 + id * 40, b.length);
      assertEquals(next[id]++, BigEndian.getInt(b, 4), "thread " + id + "'s records in its order");
    });
    assertEquals((long) threads * each, r.replayed());
    assertEquals(0, r.tornBytes());
    long frames = counters.value("log.frames");
    assertTrue(frames <= (long) threads * each, "frames " + frames);
    assertTrue(io.list(DIR).size() > 1, "segments rotated under concurrent writers");
  }
}
