package dev.sapwood.internal.store;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.util.Compressors;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BlockTableEncodingTest {
  private static final long S = BlockFileFormat.DATA_START;
  private static final long U = BlockFileFormat.ALIGNMENT;

  private static Header header(long count, long tableOffset, int tableSize, long next) {
    return new Header(1, count, 0, 0, 0, 4096, 1024, 8, Compressors.NONE, 0, 0, tableOffset,
        tableSize, next);
  }

  private static TreeMap<Long, BlockTable.Entry> sample() {
    TreeMap<Long, BlockTable.Entry> m = new TreeMap<>();
    m.put(1L, new BlockTable.Entry(S, 100, true));
    m.put(4L, new BlockTable.Entry(S + U, 5000, true));
    m.put(9L, new BlockTable.Entry(S + 3 * U, 0, true));
    return m;
  }

  @Test
  void roundTrip() {
    byte[] bytes = BlockTableEncoding.encode(5, sample());
    assertEquals(BlockFileFormat.tableSize(3), bytes.length);
    Header h = header(5, S + 4 * U, bytes.length, 10);
    assertEquals(sample(), BlockTableEncoding.decode(bytes, "f", h, S + 5 * U));
    byte[] empty = BlockTableEncoding.encode(0, new TreeMap<>());
    assertTrue(BlockTableEncoding.decode(empty, "f", header(0, S, empty.length, 1), S + U)
        .isEmpty());
  }

  @Test
  void everyByteFlipIsDetected() {
    byte[] good = BlockTableEncoding.encode(5, sample());
    Header h = header(5, S + 4 * U, good.length, 10);
    for (int i = 0; i < good.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = good.clone();
        bad[i] ^= (byte) (1 << bit);
        CorruptionException e = assertThrows(CorruptionException.class,
            () -> BlockTableEncoding.decode(bad, "f", h, S + 5 * U), "flip at " + i + "." + bit);
        assertTrue(e.offset() >= h.blockTableOffset(), e.getMessage());
      }
    }
  }

  /** Entries that pass the CRC (written by a buggy writer) are still checked one by one. */
  @Test
  void wellFormedButInvalidEntriesAreRejected() {
    long fileSize = S + 5 * U;
    Header h = header(5, S + 4 * U, (int) BlockFileFormat.tableSize(1), 10);
    BlockTable.Entry[] bad = {
      new BlockTable.Entry(0, 10, true), // over the header slots
      new BlockTable.Entry(S + 1, 10, true), // unaligned
      new BlockTable.Entry(S + 4 * U, 10, true), // overlaps the table itself
      new BlockTable.Entry(S + 4 * U + U, 10, true), // past the end of the file
      new BlockTable.Entry(S, -1, true), // negative size
    };
    for (BlockTable.Entry e : bad) {
      TreeMap<Long, BlockTable.Entry> m = new TreeMap<>();
      m.put(3L, e);
      byte[] bytes = BlockTableEncoding.encode(5, m);
      assertThrows(CorruptionException.class,
          () -> BlockTableEncoding.decode(bytes, "f", h, fileSize), e.toString());
    }
    TreeMap<Long, BlockTable.Entry> overlapping = new TreeMap<>();
    overlapping.put(1L, new BlockTable.Entry(S, 5000, true));
    overlapping.put(2L, new BlockTable.Entry(S + U, 10, true));
    byte[] o = BlockTableEncoding.encode(5, overlapping);
    assertThrows(CorruptionException.class, () -> BlockTableEncoding.decode(o, "f",
        header(5, S + 4 * U, o.length, 10), fileSize));
    TreeMap<Long, BlockTable.Entry> tooHigh = new TreeMap<>();
    tooHigh.put(10L, new BlockTable.Entry(S, 10, true));
    byte[] t = BlockTableEncoding.encode(5, tooHigh);
    assertThrows(CorruptionException.class, () -> BlockTableEncoding.decode(t, "f",
        header(5, S + 4 * U, t.length, 10), fileSize), "number not below next");
    byte[] stale = BlockTableEncoding.encode(4, sample());
    assertThrows(CorruptionException.class, () -> BlockTableEncoding.decode(stale, "f",
        header(5, S + 4 * U, stale.length, 10), fileSize), "table of another checkpoint");
  }
}
