package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import dev.sapwood.CorruptionException;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Compressed log segments (one zstd stream per segment, docs/format/log.md): what the writer puts
 * out reads back whole from any LSN, mid-segment included; a segment's bytes are complete on disk
 * after each write (a killed process loses nothing written); every flipped byte or cut of a
 * compressed segment is a torn end or a {@link CorruptionException}, never a wrong record; and a
 * frame whose checksums hold but whose body does not decode to its raw length is corruption naming
 * the file and the frame's offset.
 */
class StreamSegmentTest {
  private static final Path DIR = Path.of("/wal");

  private final MemoryFileIo io = new MemoryFileIo();

  /** A record like the bench's puts: a key prefix and counter, then a value of repeated halves. */
  private static byte[] record(int i, Random r) {
    byte[] b = new byte[20 + r.nextInt(120)];
    byte[] half = new byte[8];
    r.nextBytes(half);
    for (int j = 0; j < b.length; j++) {
      b[j] = half[j % 8];
    }
    b[0] = 1;
    b[1] = (byte) (i >>> 16);
    b[2] = (byte) (i >>> 8);
    b[3] = (byte) i;
    return b;
  }

  private List<byte[]> replay(long from) {
    List<byte[]> seen = new ArrayList<>();
    long[] next = {from};
    LogReader.recover(io, DIR, from, (lsn, p) -> {
      assertEquals(next[0]++, lsn, "LSNs in order");
      seen.add(p.bytes(p.length(), "payload"));
    });
    return seen;
  }

  @Test
  void manyFramesAndSegmentsReadBackFromAnyLsnIncludingTheMiddleOfASegment() {
    long seed = System.nanoTime();
    System.out.println("StreamSegmentTest seed " + seed);
    Random r = new Random(seed);
    List<byte[]> written = new ArrayList<>();
    Counters counters = new Counters();
    long raw = 0;
    long stored = 0;
    try (LogWriter w = new LogWriter(io, DIR, 0, 4 << 10, counters)) {
      for (int i = 0; i < 3000; i++) {
        byte[] p = i % 700 == 350 ? new byte[LogFormat.MAX_STREAM_RAW + 10] : record(i, r); // a stored frame now and then
        written.add(p);
        raw += p.length;
        stored += p.length > LogFormat.MAX_STREAM_RAW ? p.length : 0;
        w.append(p, 0, p.length);
        int burst = r.nextInt(4); // several records in one frame, as a group write makes
        for (int k = 0; k < burst && ++i < 3000; k++) {
          byte[] q = record(i, r);
          written.add(q);
          raw += q.length;
          w.append(q, 0, q.length);
        }
        if (r.nextInt(50) == 0) {
          w.sync(w.nextLsn() - 1);
        } else {
          w.write();
        }
      }
    }
    assertTrue(io.list(DIR).size() > 5, "segments: " + io.list(DIR).size());
    long small = counters.value("log.bytes_written") - stored; // framing included
    assertTrue(small < (raw - stored) * 3 / 4, "compressed: " + small + " bytes for " + (raw - stored));
    for (long from : new long[] {0, 1, 17, 349, 351, 1234, 2999, 3000}) {
      List<byte[]> seen = replay(from);
      assertEquals(written.size() - from, seen.size(), "from " + from);
      for (int i = 0; i < seen.size(); i++) {
        assertArrayEquals(written.get((int) from + i), seen.get(i), "LSN " + (from + i) + " replayed from " + from);
      }
    }
  }

  @Test
  void everyWriteLeavesTheSegmentDecodableToItsLastRecordWhileTheWriterLivesOn() {
    // An ASYNC put returns after write(): a killed process keeps what the OS has, which must decode
    // to that record without anything the stream still holds.
    Random r = new Random(7);
    try (LogWriter w = new LogWriter(io, DIR, 0, 64L << 20, new Counters())) {
      List<byte[]> written = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        byte[] p = record(i, r);
        written.add(p);
        w.append(p, 0, p.length);
        w.write();
        if (i % 20 == 0) {
          MemoryFileIo copy = new MemoryFileIo();
          for (Path f : io.list(DIR)) {
            copy.setContents(f, io.contents(f));
          }
          List<byte[]> seen = new ArrayList<>();
          LogReader.Result res = LogReader.recover(copy, DIR, 0, (lsn, pl) -> seen.add(pl.bytes(pl.length(), "p")));
          assertEquals(0, res.tornBytes(), "after record " + i);
          assertEquals(i + 1, seen.size(), "after record " + i);
          assertArrayEquals(p, seen.get(i));
        }
      }
    }
  }

  @Test
  void theWritersFramesAreByteForByteTheFormatsWhateverTheirSizeAndHowManyRecordsTheyHold() {
    // The writer puts a compressed frame together in a direct buffer (header, checksums, the
    // stream's output); LogBytes builds the same frames from docs/format/log.md in heap arrays.
    // Frames of one record (a lone ASYNC writer), of several whose body passes SMALL_BODY (the
    // body's own checksum), and one past the direct buffer's first size (the buffer grows).
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    Random r = new Random(seed);
    // Each round is synced, so its records go out as one frame at the end (a write alone would
    // stage them: StagedFramesTest), claiming the rounds before it.
    LogBytes expected = LogBytes.written(0);
    try (LogWriter w = new LogWriter(io, DIR, 0, 64L << 20, new Counters())) {
      int lsn = 0;
      for (int round = 0; round < 60; round++) {
        int n = round % 3 == 0 ? 1 : round % 3 == 1 ? 2 + r.nextInt(6) : 1;
        if (round == 30) {
          n = 1000; // about 80 KiB of records in one frame
        }
        byte[][] ps = new byte[n][];
        for (int k = 0; k < n; k++) {
          ps[k] = record(lsn++, r);
          w.append(ps[k], 0, ps[k].length);
        }
        w.sync(lsn - 1);
        expected.add(lsn - n - 1, ps); // the rounds before were synced
      }
      byte[] want = expected.bytes();
      byte[] file = io.contents(DIR.resolve(LogBytes.segmentName(0)));
      assertArrayEquals(want, Arrays.copyOf(file, want.length), "seed " + seed);
      assertEquals(want.length, file.length, "nothing after the frames");
    }
    byte[] closed = io.contents(DIR.resolve(LogBytes.segmentName(0)));
    assertEquals(expected.bytes().length, closed.length, "nothing after the frames at close");
  }

  /** A compressed segment of 30 frames (some of several records), its payloads by LSN. */
  private static byte[] smallSegment(List<byte[]> payloads) {
    Random r = new Random(3);
    LogBytes b = LogBytes.compressed(0);
    while (payloads.size() < 40) {
      int n = payloads.size() % 4 == 1 ? 3 : 1;
      byte[][] ps = new byte[n][];
      for (int k = 0; k < n; k++) {
        ps[k] = record(payloads.size(), r);
        payloads.add(ps[k]);
      }
      b.add(payloads.size() - n - 1, ps); // each frame says the ones before were synced
    }
    return b.bytes();
  }

  @Test
  void everyFlippedByteOrCutOfACompressedSegmentIsATornEndOrCorruptionNeverAWrongRecord() {
    List<byte[]> payloads = new ArrayList<>();
    byte[] seg = smallSegment(payloads);
    int corrupt = 0;
    int torn = 0;
    for (int i = 0; i < seg.length; i++) {
      for (int variant = 0; variant < 3; variant++) {
        byte[] damaged = variant == 2 ? Arrays.copyOf(seg, i) : seg.clone();
        if (variant < 2) {
          damaged[i] ^= (byte) (variant == 0 ? 0x01 : 0x80);
        }
        io.setContents(DIR.resolve(LogBytes.segmentName(0)), damaged);
        String ctx = (variant == 2 ? "cut at " : "flip of byte ") + i + " of " + seg.length;
        try {
          List<byte[]> seen = replay(0);
          for (int k = 0; k < seen.size(); k++) {
            assertArrayEquals(payloads.get(k), seen.get(k), ctx + ": LSN " + k);
          }
          torn++;
        } catch (CorruptionException e) {
          assertTrue(variant != 2 || i < LogBytes.STREAM_SEGMENT_HEADER, ctx + ": a cut is a torn end, got " + e);
          assertTrue(e.file().endsWith(LogBytes.segmentName(0)), ctx + ": names the segment: " + e);
          corrupt++;
        }
      }
    }
    assertTrue(corrupt > 0 && torn > 0, "corrupt " + corrupt + ", torn " + torn);
  }

  /** A segment of three good frames, then a frame around {@code body} declaring {@code rawLength}. */
  private static byte[] withLastFrame(LogBytes b, byte[] body, long rawLength) {
    long lsn = b.nextLsn();
    return b.raw(LogBytes.frameOfBody(0, lsn, lsn - 1, body, rawLength)).bytes();
  }

  private static LogBytes threeGood(Random r) {
    return LogBytes.compressed(0).add(-1, record(0, r)).add(0, record(1, r)).add(1, record(2, r));
  }

  private void assertCorruptAtLastFrame(byte[] seg, int lastFrameLength, String says) {
    io.setContents(DIR.resolve(LogBytes.segmentName(0)), seg);
    CorruptionException e = assertThrows(CorruptionException.class, () -> replay(0));
    assertTrue(e.file().endsWith(LogBytes.segmentName(0)), e.getMessage());
    assertEquals(seg.length - lastFrameLength, e.offset(), e.getMessage());
    assertTrue(e.getMessage().contains(says), e.getMessage());
  }

  @Test
  void aFrameWhoseChecksumsHoldButWhoseBodyDoesNotDecodeIsCorruption() {
    Random r = new Random(1);
    byte[] garbage = new byte[50];
    r.nextBytes(garbage);
    LogBytes b = threeGood(r);
    int before = b.size();
    byte[] seg = withLastFrame(b, garbage, 60);
    assertCorruptAtLastFrame(seg, seg.length - before, "compressed log frame");
  }

  @Test
  void aBodyDecodingToMoreOrFewerBytesThanItsRawLengthIsCorruption() {
    for (int delta : new int[] {-1, 1}) {
      Random r = new Random(2);
      LogBytes b = threeGood(r);
      byte[] records = LogBytes.body(record(3, r));
      byte[] body = b.compress(records);
      int before = b.size();
      byte[] seg = withLastFrame(b, body, records.length + delta);
      assertCorruptAtLastFrame(seg, seg.length - before, delta < 0 ? "more than its raw length" : "decodes to");
    }
  }

  @Test
  void aRawLengthAboveTheLimitIsCorruptionBeforeAnythingIsAllocatedByIt() {
    Random r = new Random(4);
    LogBytes b = threeGood(r);
    int before = b.size();
    byte[] seg = withLastFrame(b, new byte[40], LogFormat.MAX_STREAM_RAW + 1L);
    assertCorruptAtLastFrame(seg, seg.length - before, "above");
    b = threeGood(r);
    before = b.size();
    seg = withLastFrame(b, new byte[40], Integer.MAX_VALUE);
    assertCorruptAtLastFrame(seg, seg.length - before, "above");
  }

  /** A first frame compressed by {@code ctx} (ended if {@code end}) in a fresh compressed segment. */
  private static byte[] firstFrameBy(ZstdCompressCtx ctx, byte[] records, boolean end) {
    byte[] out = new byte[StreamCompressor.bound(records.length) + 64];
    ByteBuffer o = ByteBuffer.wrap(out);
    ctx.compressByteBufferStream(o, ByteBuffer.wrap(records), end ? EndDirective.END : EndDirective.FLUSH);
    byte[] body = Arrays.copyOf(out, o.position());
    LogBytes b = LogBytes.compressed(0);
    return b.raw(LogBytes.frameOfBody(0, 0, -1, body, records.length)).bytes();
  }

  @Test
  void aStreamDeclaringALargerWindowThanTheWriterUsesIsCorruption() {
    byte[] records = LogBytes.body(record(0, new Random(5)));
    try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
      ctx.setLevel(1);
      ctx.setWindowLog(27);
      ctx.setContentSize(false);
      byte[] seg = firstFrameBy(ctx, records, false);
      assertCorruptAtLastFrame(seg, seg.length - LogBytes.STREAM_SEGMENT_HEADER, "window");
    }
  }

  @Test
  void aStreamEndingInsideTheSegmentIsCorruption() {
    byte[] records = LogBytes.body(record(0, new Random(6)));
    try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
      ctx.setLevel(1);
      ctx.setWindowLog(LogFormat.STREAM_WINDOW_LOG);
      ctx.setContentSize(false);
      byte[] seg = firstFrameBy(ctx, records, true);
      assertCorruptAtLastFrame(seg, seg.length - LogBytes.STREAM_SEGMENT_HEADER, "ends inside");
    }
  }

  @Test
  void theSameStreamWithTheWritersSettingsDecodes() {
    byte[] p = record(0, new Random(6));
    try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
      ctx.setLevel(1);
      ctx.setWindowLog(LogFormat.STREAM_WINDOW_LOG);
      ctx.setContentSize(false);
      io.setContents(DIR.resolve(LogBytes.segmentName(0)), firstFrameBy(ctx, LogBytes.body(p), false));
    }
    List<byte[]> seen = replay(0);
    assertEquals(1, seen.size());
    assertArrayEquals(p, seen.get(0));
  }
}
