package dev.sapwood.internal.store;

/**
 * The on-disk layout constants of a block file (see docs/format/blockfile.md). All integers are
 * big-endian. Every constant here is on disk — never renumber.
 *
 * <pre>
 * file       --> HeaderSlot0 (4096), HeaderSlot1 (4096), Extent*
 * HeaderSlot --> Magic "SAPWHDR1", FormatVersion u32, Fields..., zero padding, CRC32C u32 (last 4)
 * BlockTable --> Magic "SAPWBTB1", CheckpointCount u64, EntryCount u32, Reserved u32,
 *                Entry{BlockNumber u64, Offset u64, Size u32}*, CRC32C u32
 * </pre>
 */
public final class BlockFileFormat {
  private BlockFileFormat() {}

  /** Size of one header slot. On disk — never renumber. */
  public static final int HEADER_SLOT_SIZE = 4096;
  /** Number of header slots. On disk — never renumber. */
  public static final int HEADER_SLOTS = 2;
  /** First byte usable by extents (after both header slots). On disk — never renumber. */
  public static final long DATA_START = 8192L;
  /** Every extent starts at a multiple of this and occupies a multiple of it. On disk — never renumber. */
  public static final int ALIGNMENT = 4096;

  /** "SAPWHDR1": the first 8 bytes of a header slot. On disk — never renumber. */
  public static final long HEADER_MAGIC = 0x5341505748445231L;
  /** "SAPWBTB1": the first 8 bytes of a block table. On disk — never renumber. */
  public static final long TABLE_MAGIC = 0x5341505742544231L;

  // Header slot field offsets. On disk — never renumber. The magic, the version and the CRC stay
  // where they are in every future version, so any version can recognise and verify a slot.
  static final int H_MAGIC = 0;
  static final int H_VERSION = 8;
  static final int H_FLAGS = 12; // u32, 0 in version 1
  static final int H_CHECKPOINT_COUNT = 16;
  static final int H_CHECKPOINT_LSN = 24;
  static final int H_CATALOG_BLOCK = 32;
  static final int H_MAX_MSN = 40;
  static final int H_NODE_SIZE = 48;
  static final int H_BASEMENT_SIZE = 52;
  static final int H_FANOUT = 56;
  static final int H_COMPRESSION = 60; // u8, then 3 zero bytes
  static final int H_CREATED_MILLIS = 64;
  static final int H_CHECKPOINT_MILLIS = 72;
  static final int H_TABLE_OFFSET = 80;
  static final int H_TABLE_SIZE = 88; // u32, then 4 zero bytes
  static final int H_NEXT_BLOCK_NUMBER = 96;
  /** End of the fields; bytes from here up to the CRC are zero. */
  static final int H_FIELDS_END = 104;
  /** The CRC32C of bytes [0, 4092) of the slot, stored in the slot's last 4 bytes. */
  static final int H_CRC = HEADER_SLOT_SIZE - 4;

  // Block table layout. On disk — never renumber.
  static final int T_MAGIC = 0;
  static final int T_CHECKPOINT_COUNT = 8;
  static final int T_ENTRY_COUNT = 16;
  static final int T_RESERVED = 20;
  static final int T_ENTRIES = 24;
  /** Bytes per entry: block number u64, offset u64, size u32. */
  static final int T_ENTRY_SIZE = 20;
  /** Size of a table with no entries: fixed part plus the trailing CRC32C. */
  static final int T_EMPTY_SIZE = T_ENTRIES + 4;

  /** The size of a block table with {@code entries} entries. */
  static long tableSize(long entries) {
    return T_EMPTY_SIZE + entries * T_ENTRY_SIZE;
  }

  /** The file offset of header slot {@code slot} (0 or 1): 0 and 4096. On disk — never renumber. */
  public static long slotOffset(int slot) {
    return (long) slot * HEADER_SLOT_SIZE;
  }

  /** {@code n} rounded up to a multiple of {@link #ALIGNMENT}; at least one unit. */
  static long extentLength(long n) {
    long units = Math.max(1, (n + ALIGNMENT - 1) / ALIGNMENT);
    return units * ALIGNMENT;
  }
}
