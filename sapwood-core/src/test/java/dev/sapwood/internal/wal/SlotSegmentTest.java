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
 * The writer maps only each segment's stage slot ({@link LogFormat#FLAG_SLOT}) and writes its
 * frames after it: a crash or kill at any step leaves the frames, perhaps a torn last one, and the
 * slot's staged frames, from which recovery keeps every record the process had handed to the
 * operating system; an older build's preallocated segments still end at their zeros, and zeros
 * before a gap in the LSNs are still a torn tail.
 */
class SlotSegmentTest {
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
  void aWriteIsStagedInTheSlotAndTheFramesFollowTheSlot() {
    Counters counters = new Counters();
    Path seg = DIR.resolve(LogFormat.segmentName(0));
    try (LogWriter w = new LogWriter(mem, DIR, 0, SEGMENT, counters)) {
      w.append(record(0), 0, 100);
      w.write();
      assertEquals(LogFormat.SLOT_END, w.segmentBytes(), "no frame yet");
      byte[] live = mem.contents(seg);
      long staged = counters.value("log.staged_bytes");
      assertTrue(staged > 100, "staged: " + staged);
      assertTrue(live[LogFormat.SEGMENT_HEADER] != 0, "a staged frame right after the header");
      assertZeros(live, LogFormat.SEGMENT_HEADER + staged, Math.min(live.length, LogFormat.SLOT_END));
      w.sync(0);
      assertTrue(w.segmentBytes() > LogFormat.SLOT_END, "the sync put the record in a frame after the slot");
      assertEquals(w.segmentBytes(), mem.contents(seg).length, "the file ends at the frames' end");
    }
    MemoryFileIo after = killed();
    long[] torn = new long[1];
    assertPrefix(recover(after, torn), 1);
    assertEquals(0, torn[0]);
  }

  private static void assertZeros(byte[] b, long from, long to) {
    int n = (int) (to - from);
    assertEquals(-1, Arrays.mismatch(b, (int) from, (int) to, new byte[n], 0, n), "zeros in [" + from + ", " + to + ")");
  }

  @Test
  void anOlderBuildsPreallocatedSegmentEndsAtItsZeros() {
    LogBytes a = LogBytes.preallocatedStaged(0);
    for (int i = 0; i < 10; i++) {
      a.add(-1, record(i));
    }
    Path seg = DIR.resolve(LogFormat.segmentName(0));
    mem.setContents(seg, Arrays.copyOf(a.bytes(), a.bytes().length + 5000));
    long[] torn = new long[1];
    assertPrefix(recover(mem, torn), 10);
    assertEquals(0, torn[0], "zeros are no torn write");
    assertEquals(a.bytes().length, mem.contents(seg).length, "the zero tail is cut");
  }

  @Test
  void aKilledWriterWhoseFullSegmentIsStillRotatingLosesNothing() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ForwardingFileIo io = new ForwardingFileIo(mem) {
      @Override
      protected IoFile wrap(IoFile file) {
        return new ForwardingIoFile(file) {
          @Override
          public void force() throws IOException {
            if (Thread.currentThread().getName().equals("sapwood-log-rotation")) {
              held.countDown();
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            super.force();
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
    assertTrue(held.await(30, TimeUnit.SECONDS), "no rotation fsynced the full segment");
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
    assertEquals(0, torn[0], "nothing torn");
    assertPrefix(recover(after, torn), n);
  }

  @Test
  void zerosBeforeAGapInTheLsnsAreATornTailNotASegmentsEnd() {
    // An older build's full segment whose last frames were lost at a power loss (zeros, as its
    // preallocated tail): the next segment starts past them, so it is dropped, not replayed after a hole.
    LogBytes a = LogBytes.preallocatedStaged(0);
    for (int i = 0; i < 10; i++) {
      a.add(-1, record(i));
    }
    byte[] full = Arrays.copyOf(a.bytes(), a.bytes().length + 3000);
    LogBytes b = LogBytes.preallocatedStaged(15);
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
  void aTornLastFrameIsFoundAndCut() {
    // A live segment whose last frame's page was half written back at a power loss: the frame torn
    // (zeros). Each write is synced, so that it is a frame at the end (StagedFramesTest tears a
    // group frame).
    MemoryFileIo io = new MemoryFileIo();
    long cut;
    try (LogWriter w = new LogWriter(io, DIR, 0, 1 << 20, new Counters(), false)) {
      for (int i = 0; i < 29; i++) {
        w.sync(w.append(record(i), 0, 100));
      }
      cut = w.segmentBytes();
      w.sync(w.append(record(29), 0, 100));
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
  void aCrashAtEveryStepOfTheWritesKeepsWhatWasSyncedAndNothingWrong() {
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
