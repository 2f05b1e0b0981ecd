package dev.sapwood.internal.tree;

/**
 * Where each partition of a node block lies: its offset in the block, compressed and raw length,
 * codec and CRC32C. Kept with a clean leaf so that single basements can be fetched (partial fetch)
 * and dropped (partial eviction). Immutable.
 */
final class PartitionDirectory {
  /** Bytes of one directory entry on disk: offset, compressed length, raw length, codec, crc. */
  static final int ENTRY_SIZE = 4 + 4 + 4 + 1 + 4;

  private final int[] offset;
  private final int[] compressedLength;
  private final int[] rawLength;
  private final byte[] codec;
  private final int[] crc;

  PartitionDirectory(int[] offset, int[] compressedLength, int[] rawLength, byte[] codec, int[] crc) {
    this.offset = offset;
    this.compressedLength = compressedLength;
    this.rawLength = rawLength;
    this.codec = codec;
    this.crc = crc;
  }

  int offset(int i) {
    return offset[i];
  }

  int compressedLength(int i) {
    return compressedLength[i];
  }

  int rawLength(int i) {
    return rawLength[i];
  }

  byte codec(int i) {
    return codec[i];
  }

  int crc(int i) {
    return crc[i];
  }

  long memoryBytes() {
    return 96L + 17L * offset.length;
  }
}
