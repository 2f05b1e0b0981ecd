package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A compressed segment's frames go through its zstd stream while its records shrink by a third or
 * more, judged every {@link StreamCompressor#JUDGE_BYTES}; after a judgment that they shrink less,
 * the next {@link StreamCompressor#STORE_BYTES} of records go out stored (never given to the
 * stream) and the frame after them is tried again. A segment mixing the two reads back whole, in
 * order; data that turns compressible is compressed again; small frames are judged together.
 */
class PoorCompressionTest {
  private static final Path DIR = Path.of("/wal");

  private final MemoryFileIo io = new MemoryFileIo();
  private final Counters counters = new Counters();

  /** Records of this many bytes make frames of {@link StreamCompressor#JUDGE_BYTES}: a judgment each. */
  private static final int BIG = StreamCompressor.JUDGE_BYTES - 2; // its varint length takes 2
  /** Frames stored after a poor judgment: STORE_BYTES of them. */
  private static final int STORED_RUN = StreamCompressor.STORE_BYTES / StreamCompressor.JUDGE_BYTES;

  /** Random printable characters (about a quarter saved by zstd), or one repeated phrase. */
  private static byte[] record(int i, int size, boolean compressible, Random r) {
    byte[] b = new byte[size];
    for (int k = 0; k < b.length; k++) {
      b[k] = compressible ? (byte) "sapwood logs ".charAt(k % 13) : (byte) (' ' + r.nextInt(95));
    }
    b[0] = (byte) i;
    b[1] = (byte) (i >> 8);
    return b;
  }

  private List<byte[]> replayed() {
    List<byte[]> seen = new ArrayList<>();
    LogReader.recover(io, DIR, 0, (lsn, p) -> seen.add(p.bytes(p.length(), "payload")));
    return seen;
  }

  @Test
  void framesThatShrinkLittleAreStoredAndTriedAgainLater() {
    long seed = System.nanoTime();
    System.out.println("PoorCompressionTest seed " + seed);
    Random r = new Random(seed);
    List<byte[]> written = new ArrayList<>();
    try (LogWriter w = new LogWriter(io, DIR, 0, 64L << 20, counters)) {
      // Each record synced: a frame of its own at the end, so frames and records are one to one.
      int n = 3 * (STORED_RUN + 1) + 5;
      for (int i = 0; i < n; i++) {
        byte[] p = record(i, BIG, false, r);
        written.add(p);
        w.sync(w.append(p, 0, p.length));
      }
      // Frame 0 tried (poor), the next STORED_RUN stored, one tried, ... three rounds, then 4 stored.
      long stored = counters.value("log.stored_frames");
      assertEquals(n - 4, stored, "seed " + seed);
      int tried = 4 * (STORED_RUN + 1); // the next frame the stream tries
      for (int i = n; i < n + 100; i++) {
        byte[] p = record(i, BIG, true, r);
        written.add(p);
        w.sync(w.append(p, 0, p.length));
      }
      // Compressible frames are stored until the next try: from then on every frame is compressed.
      long storedAfter = counters.value("log.stored_frames") - stored;
      assertEquals(tried - n, storedAfter, "stored until the next try, seed " + seed);
    }
    List<byte[]> seen = replayed();
    assertEquals(written.size(), seen.size());
    for (int i = 0; i < written.size(); i++) {
      assertArrayEquals(written.get(i), seen.get(i), "LSN " + i + ", seed " + seed);
    }
  }

  @Test
  void framesThatShrinkWellAreAllCompressed() {
    Random r = new Random(7);
    try (LogWriter w = new LogWriter(io, DIR, 0, 64L << 20, counters)) {
      for (int i = 0; i < 100; i++) {
        byte[] p = record(i, BIG, true, r);
        w.sync(w.append(p, 0, p.length));
      }
    }
    assertEquals(0, counters.value("log.stored_frames"));
    assertTrue(counters.value("log.bytes_written") < LogFormat.SLOT_END + 100 * 1000,
        "compressed: " + counters.value("log.bytes_written"));
    assertEquals(100, replayed().size());
  }

  @Test
  void smallFramesAreJudgedTogetherNotEachByItsHeaders() {
    // 40-byte records synced one by one: each frame alone grows under zstd's block headers, but
    // together they shrink (they repeat), so none is stored.
    Random r = new Random(5);
    try (LogWriter w = new LogWriter(io, DIR, 0, 64L << 20, counters)) {
      for (int i = 0; i < 2000; i++) {
        byte[] p = record(i, 40, true, r);
        w.sync(w.append(p, 0, p.length));
      }
    }
    assertEquals(0, counters.value("log.stored_frames"));
    assertEquals(2000, replayed().size());
  }

  @Test
  void aNewSegmentTriesTheStreamAtItsFirstFrame() {
    Random r = new Random(11);
    try (LogWriter w = new LogWriter(io, DIR, 0, 64L << 20, counters)) {
      byte[] p = record(0, BIG, false, r);
      w.sync(w.append(p, 0, p.length)); // compressed poorly: what follows in the segment is stored
      w.roll();
      byte[] q = record(1, BIG, true, r);
      w.sync(w.append(q, 0, q.length));
    }
    assertEquals(0, counters.value("log.stored_frames"), "the new segment's stream tried its first frame");
    assertEquals(2, replayed().size());
  }
}
