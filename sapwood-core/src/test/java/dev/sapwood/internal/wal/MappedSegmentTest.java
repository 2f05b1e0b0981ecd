package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.StorageException;
import dev.sapwood.internal.io.ForwardingFileIo;
import dev.sapwood.internal.io.ForwardingIoFile;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The writer maps each segment, preallocated with zeros past its size ({@link
 * LogFormat#FLAG_PREALLOCATED}), and cuts the zeros at rotation and close: a crash or kill at any
 * step leaves a zero tail, perhaps behind a torn frame, that recovery cuts without losing a record
 * the process had handed to the operating system or taking zeros before a gap for a segment's end.
 */
class MappedSegmentTest {
  private static final Path DIR = Path.of("/wal");
  private static final int SEGMENT = 4096;

  private final MemoryFileIo mem = new MemoryFileIo();

  private static byte[] record(int i) {
    byte[] b = new byte[100];
    new java.util.Random(i).nextBytes(b); // incompressible, so that segments fill
    b[0] = (byte) i;
    b[1] = (byte) (i >> 8);
    return b;
  }

  private static List<byte[]> recover(MemoryFileIo io, long[] torn) {
    return LogBytes.replayed(io, DIR, torn, false);
  }

  /** What a killed process leaves: the files as the operating system has them. */
  private MemoryFileIo killed() {
    return LogBytes.killed(mem, DIR);
  }

  private static void assertPrefix(List<byte[]> seen, int n) {
    assertEquals(n, seen.size(), "records replayed");
    for (int i = 0; i < n; i++) {
      assertArrayEquals(record(i), seen.get(i), "LSN " + i);
    }
  }

  @Test
  void aLiveSegmentRunsOnWithZerosPastItsFramesAndCloseCutsThem() {
    long framesEnd;
    Counters counters = new Counters();
    try (LogWriter w = new LogWriter(mem, DIR, 0, SEGMENT, counters)) {
      w.append(record(0), 0, 100);
      w.write();
      long end = w.segmentBytes();
      long stagedEnd = end + LogFormat.STAGED_GAP + counters.value("log.staged_bytes");
      byte[] live = mem.contents(DIR.resolve(LogFormat.segmentName(0)));
      assertEquals(SEGMENT + SegmentWriter.PREALLOCATE, live.length);
      assertZeros(live, end, end + LogFormat.STAGED_GAP);
      assertTrue(stagedEnd > end + LogFormat.STAGED_GAP, "the record is staged past the gap");
      assertZeros(live, stagedEnd, live.length);
      w.sync(0);
      framesEnd = w.segmentBytes();
    }
    assertEquals(framesEnd, mem.contents(DIR.resolve(LogFormat.segmentName(0))).length);
  }

  private static void assertZeros(byte[] b, long from, long to) {
    int n = (int) (to - from);
    assertEquals(-1, Arrays.mismatch(b, (int) from, (int) to, new byte[n], 0, n), "zeros in [" + from + ", " + to + ")");
  }

  @Test
  void aKilledWriterWhoseFullSegmentStillHasItsZeroTailLosesNothing() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ForwardingFileIo io = new ForwardingFileIo(mem) {
      @Override
      protected IoFile wrap(IoFile file) {
        return new ForwardingIoFile(file) {
          @Override
          public void truncate(long size) throws IOException {
            if (Thread.currentThread().getName().equals("sapwood-log-rotation")) {
              held.countDown();
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            super.truncate(size);
          }
        };
      }
    };
    Counters counters = new Counters();
    LogWriter w = new LogWriter(io, DIR, 0, SEGMENT, counters);
    int n = 0;
    while (counters.counter("log.rotations").sum() == 0) {
      w.append(record(n++), 0, 100);
      w.write();
    }
    assertTrue(held.await(30, TimeUnit.SECONDS), "no rotation cut the full segment");
    for (int i = 0; i < 5; i++) {
      w.append(record(n++), 0, 100);
      w.write();
    }
    MemoryFileIo after = killed();
    release.countDown();
    w.close();
    assertEquals(2, after.list(DIR).size());
    long[] torn = new long[1];
    assertPrefix(recover(after, torn), n);
    assertEquals(0, torn[0], "zeros are no torn write");
    long full = after.contents(DIR.resolve(LogFormat.segmentName(0))).length;
    assertTrue(full < SEGMENT + SegmentWriter.PREALLOCATE, "the full segment's zero tail is cut: " + full);
    assertPrefix(recover(after, torn), n);
  }

  @Test
  void zerosBeforeAGapInTheLsnsAreATornTailNotASegmentsEnd() {
    // The full segment's last frames were lost at a power loss (zeros, as its preallocated tail):
    // the next segment starts past them, so it is dropped, not replayed after a hole.
    LogBytes a = LogBytes.written(0);
    for (int i = 0; i < 10; i++) {
      a.add(-1, record(i));
    }
    byte[] full = Arrays.copyOf(a.bytes(), a.bytes().length + 3000);
    LogBytes b = LogBytes.written(15);
    b.add(-1, record(15));
    mem.setContents(DIR.resolve(LogFormat.segmentName(0)), full);
    mem.setContents(DIR.resolve(LogFormat.segmentName(15)), b.bytes());
    long[] torn = new long[1];
    assertPrefix(recover(mem, torn), 10);
    assertTrue(torn[0] > 0, "torn bytes: " + torn[0]);
    assertEquals(List.of(DIR.resolve(LogFormat.segmentName(0)).toAbsolutePath()),
        mem.list(DIR).stream().map(Path::toAbsolutePath).toList());
  }

  @Test
  void aTornFrameInTheMappedTailIsFoundAndCut() {
    // A live segment whose last frame's page was half written back at a power loss: the frame
    // torn, the rest of the tail zeros. (Uncompressed, so each write is a frame at the end, not
    // staged: StagedFramesTest tears a group frame.)
    MemoryFileIo io = new MemoryFileIo();
    long cut;
    try (LogWriter w = new LogWriter(io, DIR, 0, 1 << 20, new Counters(), false)) {
      for (int i = 0; i < 29; i++) {
        w.append(record(i), 0, 100);
        w.write();
      }
      cut = w.segmentBytes();
      w.append(record(29), 0, 100);
      w.write();
      long before = w.segmentBytes();
      Path seg = DIR.resolve(LogFormat.segmentName(0));
      byte[] live = io.contents(seg);
      int tear = (int) (cut + (before - cut) / 2);
      Arrays.fill(live, tear, (int) before, (byte) 0);
      MemoryFileIo torn = new MemoryFileIo();
      torn.setContents(seg, live);
      long[] tornBytes = new long[1];
      assertPrefix(recover(torn, tornBytes), 29);
      assertTrue(tornBytes[0] > 0, "the torn frame is counted");
      assertEquals(cut, torn.contents(seg).length, "cut at the torn frame");
    }
  }

  @Test
  void aCrashAtEveryStepOfTheMappedWriteKeepsWhatWasSyncedAndNothingWrong() {
    // Step k: the k-th write, fsync or cut of the log's files crashes the machine (the files go
    // back to what was fsynced) and fails; recovery replays a prefix holding every synced record.
    for (int k = 1; ; k++) {
      MemoryFileIo disk = new MemoryFileIo();
      AtomicInteger steps = new AtomicInteger();
      int crashAt = k;
      ForwardingFileIo io = new ForwardingFileIo(disk) {
        @Override
        protected IoFile wrap(IoFile file) {
          return new ForwardingIoFile(file) {
            private void step() throws IOException {
              if (steps.incrementAndGet() == crashAt) {
                disk.crash();
                throw new IOException("crash at step " + crashAt);
              }
            }

            @Override
            public void write(long position, ByteBuffer src) throws IOException {
              step();
              super.write(position, src);
            }

            @Override
            public void force() throws IOException {
              step();
              super.force();
            }

            @Override
            public void truncate(long size) throws IOException {
              step();
              super.truncate(size);
            }
          };
        }
      };
      long durable = -1;
      boolean crashed = false;
      try (LogWriter w = new LogWriter(io, DIR, 0, 1024, new Counters())) {
        for (int i = 0; i < 40; i++) {
          long lsn = w.append(record(i), 0, 100);
          if (i % 7 == 6) {
            w.sync(lsn);
          } else {
            w.write();
          }
          durable = w.durableLsn();
        }
      } catch (StorageException e) {
        crashed = true;
      }
      if (!crashed) {
        assertTrue(k > 20, "the sweep ran only " + k + " steps");
        return;
      }
      long[] torn = new long[1];
      List<byte[]> seen = recover(disk, torn);
      assertTrue(seen.size() >= durable + 1, "step " + k + ": " + seen.size() + " records, LSN " + durable + " durable");
      assertPrefix(seen, seen.size());
      assertEquals(seen.size(), recover(disk, torn).size(), "step " + k + ": recovery is repeatable");
    }
  }
}
