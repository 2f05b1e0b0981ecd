package dev.sapwood.internal.tree;

/**
 * One immutable segment of a leaf's delta: messages flushed into the leaf, written once to a block
 * of their own (the node grammar with magic {@code SWDL}, as a buffer partition) when the leaf was
 * written back, and never rewritten; the leaf's delta index block lists its segments oldest first
 * with what a reader needs to skip one without reading it: its point keys' span, its range
 * message count and a {@link KeyFilter} over its point keys ({@link DeltaIndex};
 * docs/format/node.md, "Delta segments").
 *
 * <p>Invariants: the metadata is final and matches the segment block (its raw bytes and counts
 * are checked against the block's directory when it is read); {@code minKey <= maxKey} when it
 * has point messages, both empty otherwise. {@code dir} and {@code buf} are filled in on first
 * need under the leaf's {@code fetchLock} (or write latch) and dropped by the cache's clock
 * ({@code buf} only).
 */
final class DeltaSegment {
  final long block;
  final long maxMsn;
  final int rawBytes;
  final int points;
  final int ranges;
  final byte[] minKey;
  final byte[] maxKey;
  /** Null only for a format-6 delta read in place ({@link #legacy}). */
  final KeyFilter filter;
  /** A format-6 delta read in place (no filter, no key span): its block is the leaf's delta block itself. */
  boolean legacy() {
    return filter == null;
  }

  /** Where the segment's frames lie in its block, once read or written (null: not yet). */
  volatile PartitionDirectory dir;
  /** The segment's messages in memory, or null while they are only on disk. */
  volatile MessageBuffer buf;
  /** Racy mark: a reader used the resident messages since the cache's last pass. */
  volatile boolean used;

  DeltaSegment(long block, long maxMsn, int rawBytes, int points, int ranges, byte[] minKey, byte[] maxKey,
      KeyFilter filter) {
    this.block = block;
    this.maxMsn = maxMsn;
    this.rawBytes = rawBytes;
    this.points = points;
    this.ranges = ranges;
    this.minKey = minKey;
    this.maxKey = maxKey;
    this.filter = filter;
  }

  /** The segment for messages {@code buf} about to be written to {@code block}; it stays resident. */
  static DeltaSegment of(long block, MessageBuffer buf, int rawBytes) {
    int p = buf.pointCount();
    byte[] lo = p == 0 ? new byte[0] : buf.copyKey(buf.point(0));
    byte[] hi = p == 0 ? new byte[0] : buf.copyKey(buf.point(p - 1));
    DeltaSegment s = new DeltaSegment(block, buf.maxMsn(), rawBytes, p, buf.rangeCount(), lo, hi, KeyFilter.of(buf));
    s.buf = buf;
    return s;
  }

  /**
   * Whether a get of {@code key} may find a message here (false: the segment can be skipped): any
   * key when the segment holds range messages (one may cover it), else a key within the point
   * keys' span that the filter does not rule out.
   */
  boolean mayHold(byte[] key) {
    if (ranges > 0 || filter == null) {
      return true;
    }
    return points > 0 && Keys.compare(key, minKey) >= 0 && Keys.compare(key, maxKey) <= 0 && filter.mayContain(key);
  }

  /** Whether a read of {@code [from, to)} (null {@code to}: no end) may find messages here. */
  boolean mayOverlap(byte[] from, byte[] to) {
    if (ranges > 0 || filter == null) {
      return true;
    }
    return points > 0 && (from == null || Keys.compare(maxKey, from) >= 0)
        && (to == null || Keys.compare(minKey, to) < 0);
  }

  /** Heap bytes held besides the resident messages. */
  long metaBytes() {
    PartitionDirectory d = dir;
    return 96L + minKey.length + maxKey.length + (filter != null ? filter.bytes().length : 0) + (d != null ? d.memoryBytes() : 0);
  }
}
