package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.util.BigEndian;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Staged frames ({@link LogFormat#FLAG_STAGED}, docs/format/log.md): a write hands its records to
 * the operating system as a stored frame past the segment's last frame, they go out together in one
 * compressed frame at the end, and a killed process loses none of them, whatever step of the group
 * write it was killed at.
 */
class StagedFramesTest {
  private static final Path DIR = Path.of("/wal");
  private static final Path SEG = DIR.resolve(LogFormat.segmentName(0));
  private static final long SEGMENT = 1 << 20;

  private final MemoryFileIo mem = new MemoryFileIo();
  private final Counters counters = new Counters();

  private static final byte[] NAME = "sapwood.add_long".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** An update-like record: the same 40 bytes but for 3 bytes of a key number in the middle. */
  private static byte[] record(int i) {
    byte[] b = new byte[40];
    b[0] = 1;
    b[10] = (byte) (i >> 16);
    b[11] = (byte) (i >> 8);
    b[12] = (byte) (i * 37);
    System.arraycopy(NAME, 0, b, 40 - NAME.length, NAME.length);
    return b;
  }

  private static List<byte[]> recover(MemoryFileIo io, long[] torn, boolean readOnly) {
    return LogBytes.replayed(io, DIR, torn, readOnly);
  }

  private MemoryFileIo killed() {
    return LogBytes.killed(mem, DIR);
  }

  private static void assertRecords(List<byte[]> seen, int n) {
    assertEquals(n, seen.size(), "records replayed");
    for (int i = 0; i < n; i++) {
      assertArrayEquals(record(i), seen.get(i), "LSN " + i);
    }
  }

  private void write(LogWriter w, int from, int to) {
    for (int i = from; i < to; i++) {
      long lsn = w.append(record(i), 0, 40);
      w.write(lsn);
    }
  }

  @Test
  void writesAreStagedPastTheFramesAndSurviveAKilledProcess() {
    int n = 20;
    MemoryFileIo after;
    try (LogWriter w = new LogWriter(mem, DIR, 0, SEGMENT, counters)) {
      write(w, 0, n);
      assertEquals(LogFormat.SEGMENT_HEADER, w.segmentBytes(), "no frame at the end yet");
      assertEquals(0, counters.value("log.group_frames"));
      byte[] live = mem.contents(SEG);
      int staged = LogFormat.SEGMENT_HEADER + LogFormat.STAGED_GAP;
      assertTrue(live[staged] != 0 || live[staged + 1] != 0, "a staged frame 12 KiB past the last frame");
      after = killed();
    }
    long[] torn = new long[1];
    assertRecords(recover(after, torn, false), n);
    assertEquals(0, torn[0], "staged frames are no torn write");
    long moved = after.contents(SEG).length;
    assertTrue(moved < LogFormat.STAGED_GAP, "the staged frames were moved to follow the last frame: " + moved);
    assertRecords(recover(after, torn, false), n);
    assertEquals(moved, after.contents(SEG).length, "recovery is repeatable");
  }

  @Test
  void aReadOnlyRecoveryReadsStagedFramesInPlaceAndChangesNothing() {
    int n = 7;
    MemoryFileIo after;
    try (LogWriter w = new LogWriter(mem, DIR, 0, SEGMENT, counters)) {
      write(w, 0, n);
      after = killed();
    }
    byte[] before = after.contents(SEG);
    long[] torn = new long[1];
    assertRecords(recover(after, torn, true), n);
    assertArrayEquals(before, after.contents(SEG));
  }

  @Test
  void stagedRecordsGoOutTogetherInOneCompressedFrame() {
    int n = 2000;
    try (LogWriter w = new LogWriter(mem, DIR, 0, SEGMENT, counters)) {
      write(w, 0, n);
    }
    long groups = counters.value("log.group_frames");
    long bytes = counters.value("log.bytes_written");
    assertTrue(groups >= 2 && groups < n / 20, "group frames: " + groups);
    // One frame per write cost 12 bytes of header and a zstd block header on each record alone.
    assertTrue(bytes < 8L * n, "log bytes per 40-byte record: " + (double) bytes / n);
    long[] torn = new long[1];
    assertRecords(recover(mem, torn, false), n);
    assertEquals(0, torn[0]);
  }

  @Test
  void staleStagedFramesAfterAGroupFrameAreNotReplayedAgain() {
    MemoryFileIo afterSync;
    MemoryFileIo afterMore;
    try (LogWriter w = new LogWriter(mem, DIR, 0, SEGMENT, counters)) {
      write(w, 0, 30);
      w.sync(29); // one group frame at the end; the 30 staged frames stay behind it in the file
      assertEquals(1, counters.value("log.group_frames"));
      afterSync = killed();
      write(w, 30, 35); // staged 12 KiB past the group frame, over the stale ones
      afterMore = killed();
    }
    long[] torn = new long[1];
    assertRecords(recover(afterSync, torn, false), 30);
    assertRecords(recover(afterMore, torn, false), 35);
  }

  @Test
  void aKillWhileTheGroupFrameIsStoredLosesNoStagedRecord() {
    MemoryFileIo after;
    long end;
    try (LogWriter w = new LogWriter(mem, DIR, 0, SEGMENT, counters)) {
      write(w, 0, 12);
      w.sync(11);
      write(w, 12, 40);
      end = w.segmentBytes();
      after = killed();
    }
    // The group frame of records 12..39 cut short: its first bytes stored, the rest not.
    byte[] seg = after.contents(SEG);
    BigEndian.putInt(seg, (int) end, 0x12345678);
    seg[(int) end + 4] = 0x7f;
    after.setContents(SEG, seg);
    long[] torn = new long[1];
    assertRecords(recover(after, torn, false), 40);
    assertRecords(recover(after, torn, false), 40);
  }

  @Test
  void aStagedFrameCutShortEndsTheRecordsAtTheOneBefore() {
    MemoryFileIo after;
    long end;
    long stagedEnd;
    try (LogWriter w = new LogWriter(mem, DIR, 0, SEGMENT, counters)) {
      write(w, 0, 10);
      end = w.segmentBytes();
      stagedEnd = end + LogFormat.STAGED_GAP + counters.value("log.staged_bytes");
      after = killed();
    }
    byte[] seg = after.contents(SEG);
    seg[(int) stagedEnd - 3] ^= 0x55; // the last staged frame (record 9) torn
    after.setContents(SEG, seg);
    long[] torn = new long[1];
    assertRecords(recover(after, torn, false), 9);
  }

  @Test
  void aSegmentWithoutCompressionIsNotStaged() {
    try (LogWriter w = new LogWriter(mem, DIR, 0, SEGMENT, counters, false)) {
      write(w, 0, 5);
      assertEquals(0, counters.value("log.staged_bytes"));
      assertTrue(w.segmentBytes() > LogFormat.SEGMENT_HEADER, "each write is a frame at the end");
    }
    long[] torn = new long[1];
    assertRecords(recover(mem, torn, false), 5);
  }
}
