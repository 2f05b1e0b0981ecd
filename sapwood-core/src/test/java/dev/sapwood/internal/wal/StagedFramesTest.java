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
 * Staged frames (docs/format/log.md, "The stage slot"): a write hands its records to the operating
 * system as a stored frame in the segment's stage slot ({@link LogFormat#FLAG_SLOT}), they go out
 * together in one frame at the end (compressed in a compressed segment), and a killed process loses
 * none of them, whatever step of the group write it was killed at. An older build's staged frames,
 * 12 KiB past the last frame ({@link LogFormat#FLAG_STAGED}), are still found.
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
  void writesAreStagedInTheSlotAndSurviveAKilledProcess() {
    int n = 20;
    MemoryFileIo after;
    try (LogWriter w = new LogWriter(mem, DIR, 0, SEGMENT, counters)) {
      write(w, 0, n);
      assertEquals(LogFormat.SLOT_END, w.segmentBytes(), "no frame at the end yet");
      assertEquals(0, counters.value("log.group_frames"));
      byte[] live = mem.contents(SEG);
      int staged = LogFormat.SEGMENT_HEADER;
      assertTrue(live[staged] != 0 || live[staged + 1] != 0, "a staged frame in the slot, after the header");
      after = killed();
    }
    long[] torn = new long[1];
    assertRecords(recover(after, torn, false), n);
    assertEquals(0, torn[0], "staged frames are no torn write");
    long moved = after.contents(SEG).length;
    assertTrue(moved > LogFormat.SLOT_END, "the staged frames were moved to follow the slot: " + moved);
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
      w.sync(29); // one group frame at the end; the 30 staged frames stay behind in the slot
      assertEquals(1, counters.value("log.group_frames"));
      afterSync = killed();
      write(w, 30, 35); // staged in the slot again, over the stale ones
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
    // The group frame of records 12..39 cut short: its first bytes written, the rest not.
    byte[] seg = java.util.Arrays.copyOf(after.contents(SEG), (int) end + 200);
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
      stagedEnd = LogFormat.SEGMENT_HEADER + counters.value("log.staged_bytes");
      after = killed();
    }
    byte[] seg = after.contents(SEG);
    seg[(int) stagedEnd - 3] ^= 0x55; // the last staged frame (record 9) torn
    after.setContents(SEG, seg);
    long[] torn = new long[1];
    assertRecords(recover(after, torn, false), 9);
  }

  @Test
  void aSegmentWithoutCompressionIsStagedToo() {
    MemoryFileIo after;
    try (LogWriter w = new LogWriter(mem, DIR, 0, SEGMENT, counters, false)) {
      write(w, 0, 5);
      assertTrue(counters.value("log.staged_bytes") > 0, "staged");
      assertEquals(LogFormat.SLOT_END, w.segmentBytes(), "no frame at the end yet");
      after = killed();
      w.sync(4);
      assertEquals(1, counters.value("log.group_frames"));
    }
    long[] torn = new long[1];
    assertRecords(recover(after, torn, false), 5);
    assertRecords(recover(mem, torn, false), 5);
  }

  @Test
  void anOlderBuildsStagedFramesPastTheLastFrameAreStillFound() {
    // FormatVersion 11: records 0..2 in a frame, 3 and 4 staged 12 KiB past it (stale zeros between).
    LogBytes b = LogBytes.preallocatedStaged(0);
    b.add(-1, record(0), record(1), record(2));
    byte[] framed = b.bytes();
    byte[] s3 = LogBytes.frameFor(framed, 0, 3, -2, record(3)); // -2: claiming nothing (synced 0)
    byte[] s4 = LogBytes.frameFor(framed, 0, 4, -2, record(4));
    byte[] seg = java.util.Arrays.copyOf(framed, framed.length + LogFormat.STAGED_GAP + s3.length + s4.length + 3000);
    System.arraycopy(s3, 0, seg, framed.length + LogFormat.STAGED_GAP, s3.length);
    System.arraycopy(s4, 0, seg, framed.length + LogFormat.STAGED_GAP + s3.length, s4.length);
    mem.setContents(SEG, seg);
    long[] torn = new long[1];
    assertRecords(recover(mem, torn, true), 5);
    assertRecords(recover(mem, torn, false), 5);
    assertEquals(0, torn[0]);
    assertEquals(framed.length + s3.length + s4.length, mem.contents(SEG).length, "moved to follow the frame, cut there");
  }
}
