package dev.sapwood.internal.tree;

import java.util.Arrays;

/**
 * The messages bound for one child of an internal node (also used as a scratch collection by
 * queries). Records live in the byte arena of {@link MessageArena} (which gives their layout); an
 * int array of record offsets keeps the point messages sorted, and range messages sit in a second
 * offset list in MSN order. Merging two siblings' buffers is {@link SiblingMerge}.
 *
 * <p>Invariants: point offsets are sorted by (key, msn) ascending; range offsets by msn ascending;
 * every record of the arena is in exactly one of the two lists. Not thread-safe: guarded by the
 * owning node's latch.
 */
final class MessageBuffer extends MessageArena {
  private int[] points = new int[8];
  private int pointCount;
  private int[] ranges = new int[2];
  private int rangeCount;

  MessageBuffer() {
    this(64);
  }

  MessageBuffer(int capacity) {
    super(capacity);
  }

  // ---- sizes ----
  int pointCount() {
    return pointCount;
  }

  int point(int i) {
    return points[i];
  }

  int rangeCount() {
    return rangeCount;
  }

  int range(int i) {
    return ranges[i];
  }

  boolean isEmpty() {
    return pointCount == 0 && rangeCount == 0;
  }


  /** Heap bytes held (arena and index arrays). */
  long memoryBytes() {
    return 48L + arena().length + 4L * points.length + 4L * ranges.length;
  }

  void clear() {
    if (arena().length > 4096) {
      points = new int[8];
      ranges = new int[2];
    }
    clearArena();
    pointCount = 0;
    rangeCount = 0;
  }

  // ---- adding ----

  /** Appends a message; {@code fn} is the UPDATE function's name (null otherwise). */
  void add(byte type, long msn, byte[] key, int keyOff, int keyLen, byte[] val, int valOff, int valLen, byte[] fn) {
    index(writeRecord(type, msn, key, keyOff, keyLen, val, valOff, valLen, fn));
  }

  /** Copies record {@code rec} of {@code src} into this buffer. */
  void addCopy(MessageBuffer src, int rec) {
    index(copyRecord(src, rec));
  }

  /**
   * Appends one record of {@code size} bytes copied from {@code src[off..)}, which the caller (the
   * node reader) has already validated; returns its offset in this buffer.
   */
  int appendRaw(byte[] src, int off, int size) {
    int at = appendRecord(src, off, size);
    index(at);
    return at;
  }

  private void index(int rec) {
    if (MessageType.isRange(type(rec))) {
      long msn = msn(rec);
      if (rangeCount == ranges.length) {
        ranges = Arrays.copyOf(ranges, rangeCount * 2);
      }
      int i = rangeCount;
      while (i > 0 && msn(ranges[i - 1]) > msn) {
        ranges[i] = ranges[i - 1];
        i--;
      }
      ranges[i] = rec;
      rangeCount++;
      return;
    }
    if (pointCount == points.length) {
      points = Arrays.copyOf(points, pointCount * 2);
    }
    int pos = insertionPoint(rec);
    System.arraycopy(points, pos, points, pos + 1, pointCount - pos);
    points[pos] = rec;
    pointCount++;
  }

  /** Position after every point message ordered at or before {@code rec} by (key, msn). */
  private int insertionPoint(int rec) {
    int kOff = keyOff(rec);
    int kLen = keyLen(rec);
    long msn = msn(rec);
    // Fast path: appending in order (sequential keys, or a sorted batch).
    if (pointCount == 0 || compareRecords(points[pointCount - 1], kOff, kLen, msn) <= 0) {
      return pointCount;
    }
    int lo = 0;
    int hi = pointCount;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compareRecords(points[mid], kOff, kLen, msn) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // ---- searching ----

  /** Index of the first point message whose key is {@code >= key} (pointCount if none). */
  int lowerBound(byte[] key) {
    if (key == null) {
      return 0;
    }
    int lo = 0;
    int hi = pointCount;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compareKey(points[mid], key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Index of the first point message whose key is {@code >= key}; null means past the end. */
  int lowerBoundOrEnd(byte[] key) {
    return key == null ? pointCount : lowerBound(key);
  }

  /**
   * Copies into {@code dst} the point messages with keys in [lo, hi) and the range messages that
   * overlap [lo, hi).
   */
  void copyRangeTo(byte[] lo, byte[] hi, MessageBuffer dst) {
    copyRangeTo(lo, hi, dst, Long.MAX_VALUE);
  }

  /** Like {@link #copyRangeTo(byte[], byte[], MessageBuffer)}, only messages with MSN at most {@code maxMsn}. */
  void copyRangeTo(byte[] lo, byte[] hi, MessageBuffer dst, long maxMsn) {
    int end = lowerBoundOrEnd(hi);
    for (int i = lowerBound(lo); i < end; i++) {
      if (msn(points[i]) <= maxMsn) {
        dst.addCopy(this, points[i]);
      }
    }
    for (int i = 0; i < rangeCount; i++) {
      if (msn(ranges[i]) <= maxMsn && rangeOverlaps(ranges[i], lo, hi)) {
        dst.addCopy(this, ranges[i]);
      }
    }
  }

  /**
   * Adds point messages {@code src.point(from..to)} (sorted) by one merge of the two sorted offset
   * lists: O(existing + added), the batch insert a flush needs.
   */
  void addSortedRun(MessageBuffer src, int from, int to) {
    int m = to - from;
    if (m <= 0) {
      return;
    }
    if (m < 8) {
      for (int i = from; i < to; i++) {
        addCopy(src, src.points[i]);
      }
      return;
    }
    int bytes = 0;
    for (int i = from; i < to; i++) {
      bytes += src.recordSize(src.points[i]);
    }
    reserveCapacity(bytes);
    int[] added = new int[m];
    for (int i = 0; i < m; i++) {
      added[i] = copyRecord(src, src.points[from + i]);
    }
    int[] merged = new int[Math.max(8, pointCount + m)];
    int a = 0;
    int b = 0;
    int k = 0;
    while (a < pointCount && b < m) {
      int rb = added[b];
      if (compareRecords(points[a], keyOff(rb), keyLen(rb), msn(rb)) <= 0) {
        merged[k++] = points[a++];
      } else {
        merged[k++] = added[b++];
      }
    }
    while (a < pointCount) {
      merged[k++] = points[a++];
    }
    while (b < m) {
      merged[k++] = added[b++];
    }
    points = merged;
    pointCount = k;
  }

  /** The buffer of sibling children merging at {@code sep}: {@link SiblingMerge#merged}. */
  static MessageBuffer merged(MessageBuffer left, MessageBuffer right, byte[] sep) {
    return SiblingMerge.merged(left, right, sep);
  }

  /** Whether an UPDATE_RANGE message is held (its effect on sizes is unknown until it applies). */
  boolean hasRangeUpdate() {
    for (int i = 0; i < rangeCount; i++) {
      if (type(ranges[i]) == MessageType.UPDATE_RANGE) {
        return true;
      }
    }
    return false;
  }

  /** Largest MSN held, or 0. */
  long maxMsn() {
    long m = 0;
    for (int i = 0; i < pointCount; i++) {
      m = Math.max(m, msn(points[i]));
    }
    for (int i = 0; i < rangeCount; i++) {
      m = Math.max(m, msn(ranges[i]));
    }
    return m;
  }
}
