package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The log reader on crafted segments: lengths bounded before they are trusted, records larger than
 * the read window read whole and right, the proof-of-durability search linear in the bytes after
 * the damage (counted, not timed), and which damage is a torn tail and which is corruption.
 */
class LogReaderTest {
  private static final Path DIR = Path.of("/wal");

  private final MemoryFileIo io = new MemoryFileIo();
  private final List<byte[]> seen = new ArrayList<>();

  private LogReader.Result recover(long from) {
    return LogReader.recover(io, DIR, from, (lsn, p) -> seen.add(p.bytes(p.length(), "payload")));
  }

  private void put(long firstLsn, byte[] segment) {
    io.setContents(DIR.resolve(LogBytes.segmentName(firstLsn)), segment);
  }

  private byte[] segment(long firstLsn) {
    return io.contents(DIR.resolve(LogBytes.segmentName(firstLsn)));
  }

  private static byte[] payload(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Three good records (LSN 0..2, all synced as they go), for the tests to damage after. */
  private static LogBytes good() {
    return new LogBytes(0).add(-1, payload(10, 0)).add(0, payload(20, 1)).add(1, payload(30, 2));
  }

  @Test
  void recordsLargerThanTheReadWindowAreReadWholeAndRight() {
    byte[] big = payload(LogReader.WINDOW * 2 + 12345, 7);
    try (LogWriter w = new LogWriter(io, DIR, 0, 64L << 20, new Counters())) {
      w.append(new byte[] {1, 2, 3}, 0, 3);
      w.append(big, 0, big.length);
      w.append(new byte[] {4}, 0, 1);
    }
    LogReader.Result r = recover(0);
    assertEquals(3, r.replayed());
    assertArrayEquals(big, seen.get(1));
    assertArrayEquals(new byte[] {4}, seen.get(2));
  }

  @Test
  void recordsOfManySegmentsAreReadBackInOrderFromTheCheckpointLsn() {
    List<byte[]> written = new ArrayList<>();
    Random r = new Random(3);
    try (LogWriter w = new LogWriter(io, DIR, 0, 4096, new Counters())) {
      for (int i = 0; i < 500; i++) {
        byte[] p = payload(r.nextInt(300), i);
        written.add(p);
        w.append(p, 0, p.length);
        w.write();
      }
    }
    assertTrue(io.list(DIR).size() > 10, "segments: " + io.list(DIR).size());
    LogReader.Result all = recover(0);
    assertEquals(500, all.replayed());
    assertEquals(500, all.nextLsn());
    for (int i = 0; i < 500; i++) {
      assertArrayEquals(written.get(i), seen.get(i), "LSN " + i);
    }
    seen.clear();
    LogReader.Result tail = recover(250);
    assertEquals(250, tail.replayed());
    assertArrayEquals(written.get(250), seen.get(0));
    assertEquals(0, tail.tornBytes());
  }

  @Test
  void aLengthAboveTheMaximumBodyIsCorruptionInAnEarlierSegmentWhenALaterFrameSaysItWasSynced() {
    byte[] seg = good().raw(LogBytes.frameHeader(0, 3, 2, LogBytes.MAX_BODY + 1, 0)).bytes();
    put(0, seg);
    put(4, new LogBytes(4).add(3, payload(8, 9)).bytes());
    CorruptionException e = assertThrows(CorruptionException.class, () -> recover(0));
    assertTrue(e.getMessage().contains("length"), e.getMessage());
  }

  @Test
  void aFullSegmentTornBeforeItsRotationFsyncIsCutAndTheSegmentAfterItDropped() {
    // The writer started segment 5 while segment 0 waited for its fsync; segment 0's tail tore and
    // segment 5's frames claim nothing synced (the rotation had not raised the durable LSN).
    byte[] damaged = LogBytes.frame(0, 3, 2, payload(40, 3));
    damaged[damaged.length - 5] ^= 1;
    put(0, good().raw(damaged).raw(LogBytes.frame(0, 4, 2, payload(5, 4))).bytes());
    put(5, new LogBytes(5).add(2, payload(8, 9)).add(2, payload(8, 10)).bytes());
    LogReader.Result r = recover(0);
    assertEquals(3, r.replayed());
    assertEquals(3, r.nextLsn());
    assertEquals(good().size(), segment(0).length);
    assertTrue(!io.exists(DIR.resolve(LogBytes.segmentName(5))), "the segment after the torn one is dropped");
  }

  @Test
  void aFullSegmentThatLostItsLastFramesWholeIsCutWhereItEndsAndTheSegmentAfterItDropped() {
    put(0, good().bytes());
    put(5, new LogBytes(5).add(2, payload(8, 9)).bytes());
    LogReader.Result r = recover(0);
    assertEquals(3, r.replayed());
    assertEquals(3, r.nextLsn());
    assertTrue(r.tornBytes() > 0);
    assertTrue(!io.exists(DIR.resolve(LogBytes.segmentName(5))));
  }

  @Test
  void aFullSegmentWhoseHeaderNeverReachedTheDiskIsATornTailAndTheSegmentAfterItDropped() {
    // Segment 3 was started by a rotation and filled before any fsync of it; the crash came before
    // its own rotation fsynced it, with segment 8 already named: 3 is empty (or zeros), 8 claims
    // nothing of 3's records synced.
    put(0, good().bytes());
    put(3, new byte[0]);
    put(8, new LogBytes(8).add(2, payload(8, 9)).bytes());
    LogReader.Result r = recover(0);
    assertEquals(3, r.replayed());
    assertEquals(3, r.nextLsn());
    assertEquals(0, segment(3).length);
    assertTrue(!io.exists(DIR.resolve(LogBytes.segmentName(8))), "the segment after the torn one is dropped");
    put(3, new byte[4096]); // zeros: the same
    put(8, new LogBytes(8).add(2, payload(8, 9)).bytes());
    r = recover(0);
    assertEquals(3, r.nextLsn());
    assertEquals(4096, r.tornBytes() - new LogBytes(8).add(2, payload(8, 9)).bytes().length);
    // The segment after it says records of segment 3 were synced: damage, not a torn tail.
    put(3, new byte[0]);
    put(8, new LogBytes(8).add(7, payload(8, 9)).bytes()); // synced 1: every LSN up to 7
    CorruptionException e = assertThrows(CorruptionException.class, () -> recover(0));
    assertTrue(e.getMessage().contains("header missing"), e.getMessage());
    // Two segments before the last: damage too.
    put(3, new byte[0]);
    put(8, new LogBytes(8).add(2, payload(8, 9)).bytes());
    put(9, new LogBytes(9).add(2, payload(8, 9)).bytes());
    assertThrows(CorruptionException.class, () -> recover(0));
  }

  @Test
  void aGapBeforeALastSegmentThatSaysTheMissingRecordsWereSyncedIsCorruption() {
    put(0, good().bytes());
    put(5, new LogBytes(5).add(4, payload(8, 9)).bytes());
    assertThrows(CorruptionException.class, () -> recover(0));
  }

  @Test
  void aTornFullSegmentIsCorruptionWhenTheSegmentAfterItSaysItWasSynced() {
    byte[] damaged = LogBytes.frame(0, 3, 2, payload(40, 3));
    damaged[damaged.length - 5] ^= 1;
    put(0, good().raw(damaged).raw(LogBytes.frame(0, 4, 2, payload(5, 4))).bytes());
    put(5, new LogBytes(5).add(2, payload(8, 9)).add(4, payload(8, 10)).bytes());
    assertThrows(CorruptionException.class, () -> recover(0));
  }

  @Test
  void aTornSegmentTwoBeforeTheLastIsCorruption() {
    byte[] damaged = LogBytes.frame(0, 3, 2, payload(40, 3));
    damaged[damaged.length - 5] ^= 1;
    put(0, good().raw(damaged).raw(LogBytes.frame(0, 4, 2, payload(5, 4))).bytes());
    put(5, new LogBytes(5).add(2, payload(8, 9)).bytes());
    put(6, new LogBytes(6).add(2, payload(8, 9)).bytes());
    assertThrows(CorruptionException.class, () -> recover(0));
  }

  @Test
  void aLengthPastTheEndOfTheLastSegmentIsATornTail() {
    // A checksummed header claiming a 1 GiB body, with 100 bytes after it: cut, never allocated.
    byte[] h = LogBytes.frameHeader(0, 3, 2, LogBytes.MAX_BODY, 0);
    byte[] seg = good().raw(h).raw(new byte[100]).bytes();
    put(0, seg);
    LogReader.Result r = recover(0);
    assertEquals(3, r.replayed());
    assertEquals(3, r.nextLsn());
    assertEquals(h.length + 100, r.tornBytes());
    assertEquals(good().size(), segment(0).length);
  }

  @Test
  void aLaterIntactHeaderOfALargeFrameSayingTheDamagedRecordWasSyncedIsProofEvenIfItsBodyIsTorn() {
    byte[] damaged = LogBytes.frame(0, 3, 2, payload(40, 3));
    damaged[damaged.length - 5] ^= 1;
    byte[] later = LogBytes.frame(0, 4, 3, payload(500, 4));
    byte[] tornLater = java.util.Arrays.copyOf(later, later.length - 100);
    put(0, good().raw(damaged).raw(tornLater).bytes());
    assertThrows(CorruptionException.class, () -> recover(0));
  }

  @Test
  void aLaterSmallFrameSayingTheDamagedRecordWasSyncedIsProof() {
    byte[] damaged = LogBytes.frame(0, 3, 2, payload(40, 3));
    damaged[damaged.length - 5] ^= 1;
    put(0, good().raw(damaged).raw(LogBytes.frame(0, 4, 3, payload(5, 4))).bytes());
    CorruptionException e = assertThrows(CorruptionException.class, () -> recover(0));
    assertTrue(e.getMessage().contains("synced"), e.getMessage());
  }

  @Test
  void aDamagedRecordFollowedOnlyByUnsyncedRecordsIsATornTail() {
    byte[] damaged = LogBytes.frame(0, 3, 2, payload(40, 3));
    damaged[damaged.length - 5] ^= 1;
    put(0, good().raw(damaged).raw(LogBytes.frame(0, 4, 2, payload(5, 4))).raw(LogBytes.frame(0, 5, 2, payload(5, 5))).bytes());
    LogReader.Result r = recover(0);
    assertEquals(3, r.replayed());
    assertEquals(3, r.nextLsn());
  }

  @Test
  void recordsOfOneFrameAreNumberedInOrderAndAreLostOrKeptTogether() {
    byte[] frame = LogBytes.frame(0, 3, 2, payload(7, 10), payload(0, 11), payload(300, 12));
    put(0, good().raw(frame).bytes());
    LogReader.Result r = recover(4);
    assertEquals(2, r.replayed());
    assertEquals(6, r.nextLsn());
    assertArrayEquals(payload(0, 11), seen.get(0));
    assertArrayEquals(payload(300, 12), seen.get(1));
    frame[frame.length - 1] ^= 1;
    put(0, good().raw(frame).bytes());
    LogReader.Result torn = recover(0);
    assertEquals(3, torn.nextLsn());
    assertEquals(frame.length, torn.tornBytes());
  }

  @Test
  void aFrameWhoseChecksumIsRightButWhoseRecordsRunPastItsBodyIsCorruption() {
    byte[] body = LogBytes.body(payload(10, 5));
    body[0] = 20; // the record claims 20 bytes, the body has 10 after its length
    put(0, good().raw(LogBytes.frameOfBody(0, 3, 2, body)).bytes());
    CorruptionException e = assertThrows(CorruptionException.class, () -> recover(0));
    assertTrue(e.getMessage().contains("record length"), e.getMessage());
  }

  @Test
  void aFrameClaimingItsOwnRecordsWereSyncedIsCorruption() {
    put(0, good().add(3, payload(10, 5)).bytes());
    CorruptionException e = assertThrows(CorruptionException.class, () -> recover(0));
    assertTrue(e.getMessage().contains("before it was written"), e.getMessage());
  }

  /**
   * Garbage after a damaged frame made of headers with right checksums, each claiming a body that
   * runs to the end of the segment: checking each candidate's body made the search quadratic (1 s
   * for 1 MiB, over 30 s for 16 MiB). The work is counted: at most a header and a small body per
   * offset.
   */
  @Test
  void theSearchForAProofOfDurabilityIsLinearOnGarbageThatLooksLikeHeaders() {
    int garbage = 1 << 20;
    LogBytes b = good();
    byte[] damaged = LogBytes.frame(0, 3, 2, payload(40, 3));
    damaged[0] ^= 1;
    b.raw(damaged);
    int start = b.size();
    long lsn = 4;
    Random rnd = new Random(11);
    for (int k = 0; ; k++) {
      int left = start + garbage - b.size() - 16;
      if (left <= LogBytes.SMALL_BODY) {
        break;
      }
      // Alternate: checksummed headers that do not vouch for LSN 3, and ones that would but whose
      // header checksum is wrong.
      byte[] h = LogBytes.frameHeader(0, lsn++, k % 2 == 0 ? 2 : 3, left, rnd.nextInt());
      if (k % 2 == 1) {
        h[1] ^= 1;
      }
      b.raw(h);
    }
    put(0, b.bytes());
    long tail = b.size() - good().size();
    LogReader.Result r = recover(0);
    assertEquals(3, r.replayed());
    assertEquals(tail, r.tornBytes());
    long perOffset = LogFormat.MAX_FRAME_HEADER + LogFormat.SMALL_BODY;
    assertTrue(r.proofWork() <= perOffset * tail, "proof search checksummed " + r.proofWork() + " bytes for a tail of " + tail);
  }

  @Test
  void aGoodFrameFoundWhereAnotherLsnBelongsIsNotReplayed() {
    // A whole frame of LSN 1 repeated where LSN 3 belongs (a misdirected write, stale data): its
    // checksums are right, its LSN is not — cut as a torn tail, never replayed as LSN 3.
    byte[] stray = LogBytes.frame(0, 1, 0, payload(20, 1));
    put(0, good().raw(stray).bytes());
    LogReader.Result r = recover(0);
    assertEquals(3, r.replayed());
    assertEquals(stray.length, r.tornBytes());
    assertThrows(CorruptionException.class, () -> {
      put(0, good().raw(stray).raw(LogBytes.frame(0, 4, 3, payload(5, 9))).bytes()); // vouches for LSN 3
      recover(0);
    });
  }

  @Test
  void aSinglePutNearTheStartOfASegmentSpendsAtMost16BytesOnFraming() {
    // 16-byte key, 100-byte value: the payload's own framing is 6 bytes (LogRecords); here the frame's.
    byte[] p = payload(122, 1);
    try (LogWriter w = new LogWriter(io, DIR, 0, 64L << 20, new Counters())) {
      for (int i = 0; i < 3; i++) {
        w.append(p, 0, p.length);
        w.write();
      }
    }
    int framing = (segment(0).length - LogFormat.SLOT_END) / 3 - p.length; // frames start after the stage slot
    assertTrue(framing + 6 <= 16, "frame bytes per put: " + framing);
  }

  /**
   * A preallocated segment's zero tail holds no frame header, so the proof search stops where the
   * data ends: scanning a 64 MiB tail byte by byte on each recovery made the fault sweeps 6x slower.
   */
  @Test
  void theProofSearchStopsWhereTheSegmentTurnsToZerosForGood() {
    byte[] damaged = LogBytes.frame(0, 3, 2, payload(40, 3));
    damaged[damaged.length - 5] ^= 1;
    byte[] data = good().raw(damaged).raw(LogBytes.frame(0, 4, 2, payload(5, 4))).bytes();
    int tail = 32 << 20;
    put(0, java.util.Arrays.copyOf(data, data.length + tail));
    LogReader.Result r = recover(0);
    assertEquals(3, r.replayed());
    assertEquals(3, r.nextLsn());
    long reach = LogFormat.MAX_FRAME_HEADER + LogFormat.SMALL_BODY;
    assertTrue(r.proofScanned() <= data.length + reach, "proof search looked at " + r.proofScanned() + " offsets");
  }

  /** Zeros between the damage and a later frame (pages lost in a power cut) do not end the search. */
  @Test
  void aProofPastMegabytesOfZerosIsStillFound() {
    byte[] damaged = LogBytes.frame(0, 3, 2, payload(40, 3));
    damaged[damaged.length - 5] ^= 1;
    byte[] zeros = new byte[3 * LogReader.WINDOW + 17];
    byte[] data = good().raw(damaged).raw(zeros).raw(LogBytes.frame(0, 4, 3, payload(5, 4))).bytes();
    put(0, java.util.Arrays.copyOf(data, data.length + (8 << 20)));
    CorruptionException e = assertThrows(CorruptionException.class, () -> recover(0));
    assertTrue(e.getMessage().contains("synced"), e.getMessage());
  }
}
