package dev.sapwood.internal.tree;

/**
 * Layout constants of a node block (see docs/format/node.md). On disk — never renumber.
 *
 * <pre>
 * NodeBlock   := Header Partition{n}
 * Header      := magic u32, headerLength u32, height u16, n u32, maxMsn u64,
 *                Pivot{n-1}, [child u64]{n, internal only}, DirEntry{n}, headerCrc u32
 * Pivot       := length u16, key bytes
 * DirEntry    := offset u32, compressedLength u32, rawLength u32, codec u8, crc u32
 * Partition   := the compressed bytes of a LeafPartition or a BufferPartition
 * LeafPartition   := maxMsn u64, count u32, Entry{count}
 * Entry           := kind u8 (0 = value), keyLength u32, key, valueLength u32, value
 * BufferPartition := pointCount u32, rangeCount u32, Message{pointCount + rangeCount}
 * Message         := type u8, msn u64, keyLength u32, key, valueLength u32, value,
 *                    [fnLength u8, fn name]   (UPDATE only)
 * </pre>
 */
final class NodeFormat {
  private NodeFormat() {}

  /** "SWND". */
  static final int MAGIC = 0x53574E44;
  /** magic, headerLength, height, n, maxMsn. */
  static final int FIXED_HEADER = 4 + 4 + 2 + 4 + 8;
  /** Bytes read first when a node is fetched; most headers fit. */
  static final int HEADER_PROBE = 4096;
  /** Largest raw partition accepted from disk. */
  static final int MAX_RAW_PARTITION = 1 << 30;
  /** Largest tree height accepted from disk. */
  static final int MAX_HEIGHT = 64;
  /** Largest partition count accepted from disk. */
  static final int MAX_PARTITIONS = 1 << 20;
  /** Smallest message record: type, msn, keyLength, valueLength. */
  static final int MIN_MESSAGE = 1 + 8 + 4 + 4;
}
