package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.*;

import dev.sapwood.CorruptionException;
import java.util.List;

/**
 * Loads the state of an existing block file: the chosen header ({@link HeaderSelector}), its block
 * table, verified ({@link BlockTableCodec}), and the free space and free block numbers rebuilt from
 * that table (everything not referenced is free).
 *
 * <p>The table's size comes from the header. Before the buffer for it is allocated it is checked
 * against what the file can hold (the table inside the file; no more entries than 4096-byte units
 * after the header slots) and the table's CRC32C is verified by streaming it through a small
 * buffer: a damaged size allocates nothing.
 */
final class BlockFileLoader {
  /** What {@link #load} found. */
  record Loaded(Header header, BlockTable table, BlockNumberPool numbers, SpaceAllocator space) {}

  private BlockFileLoader() {}

  static Loaded load(StickyFile f) {
    long fileSize = f.size();
    Header h = HeaderSelector.select(f);
    if (h.blockTableOffset() + h.blockTableSize() > fileSize) {
      throw new CorruptionException(f.name(), h.blockTableOffset(),
          "block table of " + h.blockTableSize() + " bytes extends past the end of the file ("
              + fileSize + " bytes)");
    }
    // Every entry owns a unit of its own, inside the file (the last may be partial) or, for one
    // empty block, just past its end; so do the table's: a table claiming more entries than the
    // file has units is damaged, however large a sparse file makes it look.
    long units = Math.max(0, (fileSize - DATA_START + ALIGNMENT - 1) / ALIGNMENT);
    if (h.blockTableSize() > tableSize(units)) {
      throw new CorruptionException(f.name(), h.blockTableOffset(),
          "block table of " + h.blockTableSize() + " bytes has room for more blocks than the file"
              + " of " + fileSize + " bytes can hold");
    }
    checkTableChecksum(f, h);
    byte[] bytes = new byte[h.blockTableSize()];
    f.readFully(h.blockTableOffset(), bytes, 0, bytes.length, "the block table");
    BlockTable table = new BlockTable(BlockTableCodec.decode(bytes, f.name(), h, fileSize));
    List<long[]> used = table.extents();
    used.add(new long[] {h.blockTableOffset(), extentLength(h.blockTableSize())});
    SpaceAllocator space = SpaceAllocator.rebuild(DATA_START, used.toArray(new long[0][]));
    BlockNumberPool numbers =
        BlockNumberPool.rebuild(h.nextBlockNumber(), table.sorted().keySet());
    return new Loaded(h, table, numbers, space);
  }

  /**
   * Checks the table's CRC32C streaming through a small buffer, so a table size that the header's
   * own checksum could not vouch for (the header is rewritten on every checkpoint; the size is
   * only plausible) allocates nothing before the table's checksum vouches for it.
   */
  private static void checkTableChecksum(StickyFile f, Header h) {
    byte[] stored = new byte[4];
    long crcAt = h.blockTableOffset() + h.blockTableSize() - 4;
    f.readFully(crcAt, stored, 0, 4, "the block table");
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    f.checksum(h.blockTableOffset(), h.blockTableSize() - 4, crc, "the block table");
    int expected = java.nio.ByteBuffer.wrap(stored).getInt();
    if ((int) crc.getValue() != expected) {
      throw new CorruptionException(f.name(), h.blockTableOffset(),
          String.format("block table checksum mismatch: stored %08x, computed %08x", expected,
              (int) crc.getValue()));
    }
  }
}
