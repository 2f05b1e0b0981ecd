package dev.sapwood.internal.tree;

/**
 * Layout constants of a node block (see docs/format/node.md). On disk — never renumber.
 *
 * <pre>
 * NodeBlock   := Header Partition{n}
 * Header      := magic u32, headerLength u32, height u16, n u32, maxMsn u64,
 *                Pivot{n-1}, [child u64]{n, internal only}, [delta u64]{leaf with height 0x8000},
 *                DirEntry{n}, [FilterEntry{n}]{internal with height bit 0x4000}, headerCrc u32
 * DeltaBlock  := the same with magic "SWDL", height 0, n 1, no pivots, leaf u64 in place of
 *                the children, one BufferPartition
 * Pivot       := length u16, key bytes
 * DirEntry    := offset u32, rawLength u32, codec u8, maxMsn u64, count u32, rangeCount u32,
 *                frameCount u32, pointFrames u32, FrameEntry{frameCount}
 * FrameEntry  := compressedLength u32, rawLength u32, crc u32, firstKeyLength u16, firstKey
 * FilterEntry := hashes u8, filterLength u32, filter   (hashes 0 and length 0: no filter; {@link BufferFilters})
 * Partition   := Frame{frameCount}: each the compressed bytes of a run of whole records
 * LeafPartition   := Entry{count}                      (the frames' raw bytes, concatenated)
 * Entry           := kind u8 (0 = value), keyLength u32, key, valueLength u32, value
 * BufferPartition := Message{count} Message{rangeCount} (point frames, then range frames)
 * Message         := type u8, msn u64, keyLength u32, key, valueLength u32, value,
 *                    [fnLength u8, fn name]   (UPDATE and UPDATE_RANGE only; an
 *                    UPDATE_RANGE's value is its end and argument, {@link RangeUpdates})
 * </pre>
 */
final class NodeFormat {
  private NodeFormat() {}

  /** "SWND". */
  static final int MAGIC = 0x53574E44;
  /** "SWDL": a leaf's delta block (format 6). */
  static final int DELTA_MAGIC = 0x5357444C;
  /**
   * The height field of a leaf whose header names a delta block (format 6): the block number
   * follows the pivots. Height bits 0-14 are the height, which must then be 0.
   */
  static final int HEIGHT_DELTA_FLAG = 0x8000;
  /**
   * The height bit of an internal node whose header carries its buffers' key filters after the
   * directory (format 9, {@link BufferFilters}). Bits 0-13 are the height, which must then be 1 or
   * more; a leaf or a delta block never has it.
   */
  static final int HEIGHT_FILTER_FLAG = 0x4000;
  /** magic, headerLength, height, n, maxMsn. */
  static final int FIXED_HEADER = 4 + 4 + 2 + 4 + 8;
  /**
   * Bytes read first when a node is fetched. A 1 MiB leaf's header (pivots and a frame table of
   * about 256 first keys) is about 9 KiB with 16-byte keys, so most headers fit in one read.
   */
  static final int HEADER_PROBE = 16 << 10;
  /**
   * Raw bytes a frame is cut at (a frame ends at the first record boundary at or past it, so one
   * large record makes one large frame). Only the writer uses it: readers follow the frame table.
   */
  static final int FRAME_TARGET = 4096;
  /** DirEntry bytes before its frames. */
  static final int DIR_ENTRY_FIXED = 4 + 4 + 1 + 8 + 4 + 4 + 4 + 4;
  /** FrameEntry bytes before its first key. */
  static final int FRAME_ENTRY_FIXED = 4 + 4 + 4 + 2;
  /**
   * Largest raw frame accepted from disk: a frame is records that start before {@link
   * #FRAME_TARGET} plus the one that crosses it, and a record is at most a key of {@code
   * Limits.MAX_KEY_SIZE}, a value of {@code Limits.MAX_VALUE_SIZE}, a 255-byte function name and
   * 13 bytes of header (about 16.02 MiB); twice that leaves room, and keeps what one damaged
   * length can make a reader allocate bounded.
   */
  static final int MAX_FRAME_RAW = 32 << 20;

  /**
   * Why a frame entry's lengths cannot be a frame written with {@code codec}, or null: its raw
   * length is at most {@link #MAX_FRAME_RAW}, its compressed length at most what the codec makes
   * of that many bytes, and a NONE frame's lengths are equal. (An unknown codec is reported when
   * the frame is read.)
   */
  static String frameLengthProblem(byte codec, int compressed, int raw) {
    if (raw > MAX_FRAME_RAW) {
      return raw + " raw bytes, more than a frame holds (" + MAX_FRAME_RAW + ")";
    }
    if (!dev.sapwood.internal.util.Compressors.isKnown(codec)) {
      return null;
    }
    if (codec == dev.sapwood.internal.util.Compressors.NONE ? compressed != raw
        : compressed > dev.sapwood.internal.util.Compressors.maxCompressedLength(codec, raw)) {
      return compressed + " bytes on disk cannot hold " + raw + " raw bytes with codec " + codec;
    }
    return null;
  }

  /**
   * Largest node the writer serializes, in {@link Node#bytes()} (partitions' raw bytes and
   * pivots): 768 MiB. Its block is at most about twice that (compressed frames of at most their raw
   * size plus LZ4's fraction of a percent, and a frame table whose first keys are at most the
   * frames' raw bytes), so a block's length and every offset in it fit an int. No
   * tree builds a larger node (docs/design.md, "How large a node can get"): a leaf over its node
   * size holds one entry (at most a key and a value past their limits), and an internal node that
   * can be written holds at most twice its node size of messages plus one message (the root under
   * back-pressure), with pivots of at most half a node or two keys; with node sizes of at most
   * {@code Options.MAX_NODE_SIZE} (256 MiB) that stays under 700 MiB. {@link NodeWriter} refuses a
   * larger node with an {@link IllegalStateException} before allocating anything for it.
   */
  static final long MAX_NODE_BYTES = 768L << 20;
  /** Largest raw partition accepted from disk. */
  static final int MAX_RAW_PARTITION = 1 << 30;
  /** Largest tree height accepted from disk. */
  static final int MAX_HEIGHT = 64;
  /** Largest partition count accepted from disk. */
  static final int MAX_PARTITIONS = 1 << 20;
  /** Smallest message record: type, msn, keyLength, valueLength. */
  static final int MIN_MESSAGE = 1 + 8 + 4 + 4;
}
