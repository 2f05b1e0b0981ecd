package dev.sapwood.internal.store;

/**
 * The version of Sapwood's on-disk format, written into every header slot and checked on open. A
 * file whose version is newer than {@link #CURRENT} (or not a version this build knows) is refused
 * with a message naming both versions, never guessed at.
 *
 * <p>Changelog, one line per version (on disk — never reuse a number):
 *
 * <ul>
 *   <li>1 — first format: two 4 KiB header slots, a checksummed block table written to fresh space
 *       at each checkpoint, 4 KiB-aligned copy-on-write extents, a catalog block, node blocks with
 *       separately compressed and checksummed partitions (docs/format.md).
 *   <li>2 — node partitions are cut into frames of whole records (about 4 KiB raw), each
 *       compressed and checksummed on its own and indexed in the node header by its first key, so
 *       a point query reads one frame; partition counts and a basement's max MSN moved from the
 *       partition into its directory entry. Version 1 files are not read (no release had them).
 *   <li>3 — same bytes, two meanings changed: {@code UpdateFunctions.ADD_LONG} counters are stored
 *       in {@code Codec.LONG}'s encoding (big-endian, sign bit flipped) instead of plain
 *       big-endian; and the header's node size, basement size, fanout and compression are the
 *       database's current shape (an open that overrides one records it at its next checkpoint)
 *       and are used on reopen unless overridden. Version 2 files are not read (their counters
 *       would read as wrong numbers; no release had them).
 *   <li>4 — block file unchanged; the write-ahead log's segments are version 2: records are grouped
 *       into frames (one per write) with varint lengths, one checksum per frame (two past 256 body
 *       bytes) and one LSN per frame instead of per record, and payload integers are varints — 14
 *       to 18 bytes of framing for a single put instead of 46 (docs/format/log.md). Version 3 files are not read (their
 *       log would need the old reader; no release had them).
 *   <li>5 — a new message type, 5 = UPDATE_RANGE (a range or broadcast update), in buffers' range
 *       frames and as log op 5; its value holds the range's end (or none) and the argument. The
 *       catalog may end with each tree's logical row count. Version 4 files are read as they are
 *       (no such message; a catalog without counts counts from 0).
 *   <li>6 — leaf deltas: a leaf's height field may be {@code 0x8000}, and then a u64 block number
 *       follows its pivots: the leaf's delta block (magic {@code SWDL}: the node grammar with one
 *       buffer partition of messages flushed into the leaf but not yet applied to its basements,
 *       and the leaf's block number where an internal node's children go; docs/format/node.md,
 *       "Delta blocks"). Versions 4 and 5 are read as they are (no leaf has the flag).
 *   <li>7 — block file unchanged; the write-ahead log's segments are version 3: a flags word in
 *       the segment header, and with its flag 1 each frame carries a raw length and its body is
 *       the flushed output of one zstd stream per segment (docs/format/log.md, "Compressed
 *       segments"). Versions 4 to 6 are read as they are (their log's version-2 segments are
 *       still read).
 *   <li>8 — leaf deltas as immutable segments: the block a leaf's header names is a delta index
 *       (magic {@code SWDX}) listing up to 64 delta segments oldest first, each a block of the
 *       format-6 delta grammar written once and never rewritten, with its sizes, point-key span
 *       and a Bloom filter over its point keys (docs/format/node.md, "Delta segments"). A version-6
 *       delta block ({@code SWDL}) named by a leaf is read as one segment without a filter and
 *       consolidated by the leaf's next flush. The log is as in version 7.
 *   <li>9 — buffer filters: an internal node's height field may have bit {@code 0x4000}, and then
 *       its header holds, after the directory, one entry per buffer ({@code hashes u8, filterLength
 *       u32, filter}: a Bloom filter over the buffer's point keys as written, hashed as the delta
 *       segments' filters) that a get asks before reading the buffer's frames (docs/format/node.md,
 *       "Buffer filters"). Versions 4 to 8 are read as they are (no node has the flag: every buffer
 *       answers "maybe").
 *   <li>10 — block file unchanged; a log segment's header may have flag 2 (preallocated): the
 *       writer maps the segment, so the file may run on with zeros past its last frame until the
 *       segment is rotated or closed, and recovery takes such zeros for the segment's end
 *       (docs/format/log.md, "Preallocated segments"). Versions 4 to 9 are read as they are (no
 *       segment has the flag); an older build refuses a segment with the flag.
 *   <li>11 — block file unchanged; a compressed log segment's header may have flag 4 (staged):
 *       records handed to the operating system between the writer's group frames lie as stored
 *       frames 12 KiB past the segment's last frame until a frame at the end holds them, and
 *       recovery moves them to the end after a killed process (docs/format/log.md, "Staged
 *       frames"). Versions 4 to 10 are read as they are (no segment has the flag); an older build
 *       refuses a segment with the flag.
 *   <li>12 — block file unchanged; a log segment's header may have flag 8 (stage slot): the
 *       segment's first 16 KiB after its header are the stage slot, where records handed to the
 *       operating system since the last frame lie as stored frames, and the frames start at byte
 *       16,384, written with positional writes (docs/format/log.md, "The stage slot"); such a
 *       segment has neither flag 2 nor 4. Versions 4 to 11 are read as they are (their segments'
 *       flags are read as before); an older build refuses a segment with the flag.
 * </ul>
 */
public final class FormatVersion {
  /** The version this build writes, and the newest it reads. */
  public static final int CURRENT = 12;

  /** The oldest version this build reads. */
  public static final int OLDEST_READABLE = 4;

  private FormatVersion() {}

  /** Whether this build can read files of {@code version}. */
  public static boolean isReadable(int version) {
    return version >= OLDEST_READABLE && version <= CURRENT;
  }
}
