package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.fuzz.Fuzz;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Mutated log segments through {@link LogReader}: each recovery either returns — having passed on
 * only records of the log the segment was made from, in LSN order, unchanged — or throws a {@link
 * CorruptionException}. Anything else (another exception, an Error, a record that was never
 * written) fails with the seed.
 */
class LogSegmentFuzzTest {
  private static final Path DIR = Path.of("/wal");

  /** The payloads of the log every corpus segment is a piece of; LSN i holds MASTER.get(i). */
  private static final List<byte[]> MASTER = new ArrayList<>();

  static {
    Random r = new Random(42);
    for (int i = 0; i < 12; i++) {
      byte[] p = new byte[i % 4 == 3 ? 200 + r.nextInt(300) : r.nextInt(24)];
      r.nextBytes(p);
      for (int j = 8; j < p.length && i % 2 == 1; j++) {
        p[j] = p[j % 8]; // some compressible, so that compressed frames hold matches into the history
      }
      MASTER.add(p);
    }
  }

  /**
   * Segments holding the first k records of the master log (every k), some with their synced
   * claims, some frames of two; each both as a version-2 segment and as a compressed one.
   */
  private static List<byte[]> corpus() {
    List<byte[]> out = new ArrayList<>();
    for (int n = 0; n <= 2 * MASTER.size() + 1; n++) {
      int k = n / 2;
      LogBytes b = n % 2 == 0 ? new LogBytes(0) : LogBytes.compressed(0);
      for (int i = 0; i < k; i++) {
        if (k % 3 == 0 && i + 1 < k) { // some frames of two records (a group write)
          b.add(k % 2 == 0 ? i - 1 : -1, MASTER.get(i), MASTER.get(i + 1));
          i++;
        } else {
          b.add(k % 2 == 0 ? i - 1 : -1, MASTER.get(i));
        }
      }
      out.add(b.bytes());
    }
    return out;
  }

  private static void recoverOne(byte[] segment, boolean last) {
    MemoryFileIo io = new MemoryFileIo();
    io.setContents(DIR.resolve(LogBytes.segmentName(0)), segment);
    if (!last) {
      io.setContents(DIR.resolve(LogBytes.segmentName(MASTER.size())), LogBytes.segmentHeader(MASTER.size()));
    }
    long[] next = {0};
    LogReader.Result r = LogReader.recover(io, DIR, 0, (lsn, p) -> {
      assertEquals(next[0]++, lsn, "LSNs in order from 0");
      assertTrue(lsn < MASTER.size(), "a record that was never written: LSN " + lsn);
      assertArrayEquals(MASTER.get((int) lsn), p.bytes(p.length(), "payload"), "LSN " + lsn);
    });
    assertEquals(next[0], r.replayed());
    // Torn bytes: of this segment, and of the one after it if that one is dropped (it follows a
    // torn full segment, docs/format/log.md "Recovery rules").
    long dropped = last ? 0 : LogBytes.segmentHeader(MASTER.size()).length;
    assertTrue(r.tornBytes() >= 0 && r.tornBytes() <= segment.length + dropped, "torn " + r.tornBytes());
    if (r.tornBytes() > segment.length) {
      assertTrue(!io.exists(DIR.resolve(LogBytes.segmentName(MASTER.size()))), "counted, so dropped");
    }
  }

  private static void fuzz(int iterations) {
    List<byte[]> corpus = corpus();
    Fuzz.run("log segment (last)", corpus, b -> recoverOne(b, true), iterations);
    Fuzz.run("log segment (followed by another)", corpus, b -> recoverOne(b, false), iterations / 4);
  }

  @Test
  void mutatedSegmentsRecoverARightPrefixOrAreCorruption() {
    fuzz(Fuzz.iterations(8_000));
  }

  @Test
  @Tag("stress")
  void mutatedSegmentsLongRun() {
    fuzz(Fuzz.iterations(2_000_000));
  }
}
