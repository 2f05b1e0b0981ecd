package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.util.Checksums;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes and reads the on-disk block table (layout in {@link BlockFileFormat}). Entries are stored
 * in strictly ascending block number order; the trailing CRC32C covers every preceding byte.
 *
 * <p>Reading verifies everything before trusting anything: magic, CRC, that the stored checkpoint
 * count matches the header's (a stale table from an older checkpoint is rejected), that the entry
 * count matches the table's size, and for every entry: block number in {@code [1, next)},
 * ascending, extent aligned, after the header slots, inside the file, and not overlapping any other
 * extent or the table itself.
 */
final class BlockTableEncoding {
  private BlockTableEncoding() {}

  /** The bytes of a table holding {@code entries} (ascending), tagged with {@code checkpointCount}. */
  static byte[] encode(long checkpointCount, Map<Long, BlockTable.Entry> entries) {
    long size = tableSize(entries.size());
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("block table too large: " + entries.size() + " entries");
    }
    byte[] out = new byte[(int) size];
    ByteBuffer b = ByteBuffer.wrap(out);
    b.putLong(TABLE_MAGIC).putLong(checkpointCount).putInt(entries.size()).putInt(0);
    for (Map.Entry<Long, BlockTable.Entry> e : entries.entrySet()) {
      b.putLong(e.getKey()).putLong(e.getValue().offset()).putInt(e.getValue().size());
    }
    b.putInt(Checksums.crc32c(out, 0, out.length - 4));
    return out;
  }

  /**
   * Decodes and verifies a table read from {@code file} at {@code offset}; every entry comes back
   * checkpointed.
   *
   * @param bytes exactly the table's bytes (the header's table size, already bounds-checked)
   * @param h the header that points at this table
   * @param fileSize the file's size, which every block must fit inside
   */
  static TreeMap<Long, BlockTable.Entry> decode(byte[] bytes, String file, Header h,
      long fileSize) {
    long offset = h.blockTableOffset();
    if (bytes.length < T_EMPTY_SIZE) {
      throw new CorruptionException(file, offset, "block table of " + bytes.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (b.getLong(T_MAGIC) != TABLE_MAGIC) {
      throw new CorruptionException(file, offset, "bad block table magic");
    }
    int stored = b.getInt(bytes.length - 4);
    int actual = Checksums.crc32c(bytes, 0, bytes.length - 4);
    if (stored != actual) {
      throw new CorruptionException(file, offset,
          String.format("block table checksum mismatch: stored %08x, computed %08x", stored,
              actual));
    }
    long count = b.getLong(T_CHECKPOINT_COUNT);
    if (count != h.checkpointCount()) {
      throw new CorruptionException(file, offset, "block table belongs to checkpoint " + count
          + ", header is checkpoint " + h.checkpointCount());
    }
    int n = b.getInt(T_ENTRY_COUNT);
    if (n < 0 || tableSize(n) != bytes.length) {
      throw new CorruptionException(file, offset,
          "block table entry count " + n + " does not match its size " + bytes.length);
    }
    TreeMap<Long, BlockTable.Entry> out = new TreeMap<>();
    TreeMap<Long, Long> extents = new TreeMap<>(); // offset -> end, for the overlap check
    extents.put(offset, offset + extentLength(bytes.length));
    long previous = 0;
    b.position(T_ENTRIES);
    for (int i = 0; i < n; i++) {
      long entryAt = offset + b.position();
      long number = b.getLong();
      long at = b.getLong();
      int size = b.getInt();
      String what = checkEntry(number, previous, at, size, h, fileSize);
      if (what == null && extents.put(at, at + extentLength(size)) != null) {
        what = "its extent starts where another does";
      }
      if (what != null) {
        throw new CorruptionException(file, entryAt,
            "block table entry " + i + " (block " + number + " at " + at + ", " + size
                + " bytes): " + what);
      }
      out.put(number, new BlockTable.Entry(at, size, true));
      previous = number;
    }
    long end = 0;
    for (Map.Entry<Long, Long> e : extents.entrySet()) {
      if (e.getKey() < end) {
        throw new CorruptionException(file, offset,
            "block table maps overlapping extents at " + e.getKey());
      }
      end = e.getValue();
    }
    return out;
  }

  private static String checkEntry(long number, long previous, long at, int size, Header h,
      long fileSize) {
    if (number <= previous || number >= h.nextBlockNumber()) {
      return "block number out of order or not below next " + h.nextBlockNumber();
    }
    if (at < DATA_START || at % ALIGNMENT != 0) {
      return "offset is not an aligned data offset";
    }
    if (size < 0 || at + size > fileSize) {
      return "extent is not inside the file of " + fileSize + " bytes";
    }
    return null;
  }
}
