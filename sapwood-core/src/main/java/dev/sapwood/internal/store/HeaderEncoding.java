package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.SapwoodException;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Compressors;
import java.nio.ByteBuffer;

/**
 * Writes and reads one header slot ({@link BlockFileFormat#HEADER_SLOT_SIZE} bytes). The CRC32C in
 * the slot's last 4 bytes covers every other byte of the slot, padding included.
 *
 * <p>Reading checks, in order: the magic, the CRC, the format version (a verified slot of a newer
 * or unknown version is a {@link SapwoodException}, not corruption: this build must not guess),
 * then the plausibility of each field. Any other failure is a {@link CorruptionException}, after
 * which the caller falls back to the other slot.
 */
final class HeaderEncoding {
  private HeaderEncoding() {}

  /** The bytes of the slot for {@code h}. */
  static byte[] encode(Header h) {
    byte[] slot = new byte[HEADER_SLOT_SIZE];
    ByteBuffer b = ByteBuffer.wrap(slot);
    b.putLong(H_MAGIC, HEADER_MAGIC);
    b.putInt(H_VERSION, h.formatVersion());
    b.putInt(H_FLAGS, 0);
    b.putLong(H_CHECKPOINT_COUNT, h.checkpointCount());
    b.putLong(H_CHECKPOINT_LSN, h.checkpointLsn());
    b.putLong(H_CATALOG_BLOCK, h.catalogBlock());
    b.putLong(H_MAX_MSN, h.maxMsn());
    b.putInt(H_NODE_SIZE, h.nodeSize());
    b.putInt(H_BASEMENT_SIZE, h.basementSize());
    b.putInt(H_FANOUT, h.fanout());
    b.put(H_COMPRESSION, h.compression());
    b.putLong(H_CREATED_MILLIS, h.createdMillis());
    b.putLong(H_CHECKPOINT_MILLIS, h.checkpointMillis());
    b.putLong(H_TABLE_OFFSET, h.blockTableOffset());
    b.putInt(H_TABLE_SIZE, h.blockTableSize());
    b.putLong(H_NEXT_BLOCK_NUMBER, h.nextBlockNumber());
    b.putInt(H_CRC, Checksums.crc32c(slot, 0, H_CRC));
    return slot;
  }

  /**
   * Decodes and verifies one slot.
   *
   * @param slot the slot's bytes; fewer than a whole slot means the file is truncated
   * @param len how many bytes of {@code slot} were read from the file
   * @param file the file name for messages
   * @param offset the slot's file offset for messages
   * @throws CorruptionException if the slot is damaged or implausible
   * @throws SapwoodException if the slot is intact but written by a newer or unknown format version
   */
  static Header decode(byte[] slot, int len, String file, long offset) {
    if (len < HEADER_SLOT_SIZE) {
      throw new CorruptionException(
          file, offset, "header slot truncated: " + len + " of " + HEADER_SLOT_SIZE + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(slot, 0, HEADER_SLOT_SIZE);
    long magic = b.getLong(H_MAGIC);
    if (magic != HEADER_MAGIC) {
      throw new CorruptionException(
          file, offset, "bad header magic 0x" + Long.toHexString(magic) + ", not a Sapwood file");
    }
    int stored = b.getInt(H_CRC);
    int actual = Checksums.crc32c(slot, 0, H_CRC);
    if (stored != actual) {
      throw new CorruptionException(
          file, offset, String.format("header checksum mismatch: stored %08x, computed %08x",
              stored, actual));
    }
    int version = b.getInt(H_VERSION);
    if (!FormatVersion.isReadable(version)) {
      throw new SapwoodException(
          file + ": unsupported format version " + version + "; this build reads versions "
              + FormatVersion.OLDEST_READABLE + " to " + FormatVersion.CURRENT
              + (version > FormatVersion.CURRENT ? " (the file was written by a newer Sapwood)"
                  : ""));
    }
    Header h =
        new Header(
            version,
            b.getLong(H_CHECKPOINT_COUNT),
            b.getLong(H_CHECKPOINT_LSN),
            b.getLong(H_CATALOG_BLOCK),
            b.getLong(H_MAX_MSN),
            b.getInt(H_NODE_SIZE),
            b.getInt(H_BASEMENT_SIZE),
            b.getInt(H_FANOUT),
            b.get(H_COMPRESSION),
            b.getLong(H_CREATED_MILLIS),
            b.getLong(H_CHECKPOINT_MILLIS),
            b.getLong(H_TABLE_OFFSET),
            b.getInt(H_TABLE_SIZE),
            b.getLong(H_NEXT_BLOCK_NUMBER));
    String problem = implausibility(h);
    if (problem != null) {
      throw new CorruptionException(file, offset, "implausible header: " + problem);
    }
    return h;
  }

  /** Why {@code h} cannot be a header we wrote, or null. */
  private static String implausibility(Header h) {
    if (h.checkpointCount() < 0) {
      return "negative checkpoint count " + h.checkpointCount();
    }
    if (h.nodeSize() <= 0 || h.basementSize() <= 0 || h.fanout() < 2) {
      return "bad tree settings";
    }
    if (!Compressors.isKnown(h.compression())) {
      return "unknown compression code " + h.compression();
    }
    if (h.blockTableOffset() < DATA_START || h.blockTableOffset() % ALIGNMENT != 0) {
      return "block table offset " + h.blockTableOffset() + " is not an aligned data offset";
    }
    if (h.blockTableSize() < T_EMPTY_SIZE
        || (h.blockTableSize() - T_EMPTY_SIZE) % T_ENTRY_SIZE != 0) {
      return "block table size " + h.blockTableSize() + " is not a whole table";
    }
    if (h.blockTableSize() > tableSize(Math.min(Integer.MAX_VALUE, Math.max(0, h.nextBlockNumber() - 1)))) {
      return "block table size " + h.blockTableSize() + " holds more blocks than numbers below "
          + h.nextBlockNumber();
    }
    if (h.nextBlockNumber() < 1 || h.catalogBlock() < 0
        || h.catalogBlock() >= h.nextBlockNumber()) {
      return "block numbers out of range (catalog " + h.catalogBlock() + ", next "
          + h.nextBlockNumber() + ")";
    }
    return null;
  }
}
