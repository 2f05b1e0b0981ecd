package dev.sapwood.internal.tree;

/**
 * The buffered messages of one chunk's key range {@code [from, to)}, gathered from the buffers on
 * its path and the leaf's delta: what {@link MessageApplier} applies to the chunk's entries. A
 * chunk's range is short (about the entries a cursor returns), so most sources hold nothing of it
 * and often only one holds anything: then that source is applied where it is, not copied (the
 * applier takes a range of any buffer's point list); only messages of several sources, or a
 * snapshot's (some messages hidden), are copied into one buffer, sized once from the sources'
 * record sizes instead of grown by doubling (a quarter of a seek's allocation was that growth,
 * docs/benchmarks.md, "What a seek reads beyond the cache").
 *
 * <p>Invariants: the result holds, in (key, MSN) order, exactly the point messages of {@code
 * [from, to)} and the range messages overlapping it of every source added, at or below the
 * snapshot's MSN; sources are read only, never changed, and must stay unchanged (latched, or
 * peeked for this read) until the chunk is built. Not thread-safe: one per chunk read.
 */
final class ChunkMessages {
  /** No message: what a chunk whose range holds none applies. Never changed. */
  private static final MessageBuffer NONE = MessageBuffer.over(new byte[0]);

  private final byte[] from;
  private final byte[] to;
  private final long snapshot;
  private MessageBuffer[] sources = new MessageBuffer[8];
  private int count;
  private long bytes;
  private int messages;

  /** {@code to} null: no end; {@code snapshot}: the read's MSN (Long.MAX_VALUE: the tree as it is). */
  ChunkMessages(byte[] from, byte[] to, long snapshot) {
    this.from = from;
    this.to = to;
    this.snapshot = snapshot;
  }

  /** Adds a source; one with no message of the range is dropped here (and false returned). */
  boolean add(MessageBuffer src) {
    long b = rangeBytes(src);
    if (b == 0) {
      return false;
    }
    if (count == sources.length) {
      sources = java.util.Arrays.copyOf(sources, count * 2);
    }
    sources[count++] = src;
    bytes += b;
    return true;
  }

  /** Messages of the range in the sources added (a key's several messages each counted). */
  int messages() {
    return messages;
  }

  /** The sources added that hold messages of the range (for tests). */
  int sources() {
    return count;
  }

  /**
   * The messages of the range from every source added: the one source itself when there is only
   * one and no snapshot hides any of its messages (read its points from {@code lowerBound(from)}
   * to {@code lowerBoundOrEnd(to)}; its range messages are filtered by the applier), else a copy,
   * in arrays lent for the read in progress ({@link PeekArrays}): it must not outlive the read.
   */
  MessageBuffer collected() {
    if (count == 0) {
      return NONE;
    }
    if (count == 1 && snapshot == Long.MAX_VALUE) {
      return sources[0];
    }
    int len = (int) Math.min(Integer.MAX_VALUE - 16, bytes);
    int[] points = PeekArrays.takeInts(messages);
    MessageBuffer out = MessageBuffer.over(PeekArrays.take(len), 0, points, PeekArrays.takePrefixes(points.length));
    for (int i = 0; i < count; i++) {
      sources[i].copyRangeTo(from, to, out, snapshot);
    }
    return out;
  }

  /** Bytes of the records of {@code src} that {@link MessageBuffer#copyRangeTo} would copy. */
  private long rangeBytes(MessageBuffer src) {
    long b = 0;
    int end = src.lowerBoundOrEnd(to);
    for (int i = src.lowerBound(from); i < end; i++) {
      if (src.msn(src.point(i)) <= snapshot) {
        b += src.recordSize(src.point(i));
        messages++;
      }
    }
    for (int i = 0; i < src.rangeCount(); i++) {
      if (src.msn(src.range(i)) <= snapshot && src.rangeOverlaps(src.range(i), from, to)) {
        b += src.recordSize(src.range(i));
        messages++;
      }
    }
    return b;
  }
}
