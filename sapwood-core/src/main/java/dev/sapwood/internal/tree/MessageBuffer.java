package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.BigEndian;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The messages bound for one child of an internal node (also used as a scratch collection by
 * queries). Records live in one append-only byte arena; an int array of record offsets keeps the
 * point messages sorted, and range messages sit in a second offset list in MSN order.
 *
 * <p>Record layout (also the on-disk layout inside a buffer partition): {@code type u8, msn u64,
 * keyLen u32, key, valueLen u32, value, [fnLen u8, fn name]} — the function name only for UPDATE.
 * For DELETE_RANGE, key is the inclusive start and value the exclusive end.
 *
 * <p>Invariants: point offsets are sorted by (key, msn) ascending; range offsets by msn ascending;
 * {@link #bytes()} is the sum of the record sizes. Not thread-safe: guarded by the owning node's
 * latch.
 */
final class MessageBuffer {
  static final int HEADER = 1 + 8 + 4;

  private byte[] arena;
  private int used;
  private int[] points = new int[8];
  private int pointCount;
  private int[] ranges = new int[2];
  private int rangeCount;

  MessageBuffer() {
    this(64);
  }

  MessageBuffer(int capacity) {
    arena = new byte[Math.max(16, capacity)];
  }

  // ---- record accessors (by record offset) ----

  byte type(int rec) {
    return arena[rec];
  }

  long msn(int rec) {
    return BigEndian.getLong(arena, rec + 1);
  }

  int keyLen(int rec) {
    return BigEndian.getInt(arena, rec + 9);
  }

  int keyOff(int rec) {
    return rec + HEADER;
  }

  int valueLen(int rec) {
    return BigEndian.getInt(arena, rec + HEADER + keyLen(rec));
  }

  int valueOff(int rec) {
    return rec + HEADER + keyLen(rec) + 4;
  }

  String functionName(int rec) {
    int at = valueOff(rec) + valueLen(rec);
    return new String(arena, at + 1, arena[at] & 0xFF, StandardCharsets.UTF_8);
  }

  int recordSize(int rec) {
    int end = valueOff(rec) + valueLen(rec);
    if (type(rec) == MessageType.UPDATE) {
      end += 1 + (arena[end] & 0xFF);
    }
    return end - rec;
  }

  byte[] arena() {
    return arena;
  }

  byte[] copyKey(int rec) {
    int off = keyOff(rec);
    return Arrays.copyOfRange(arena, off, off + keyLen(rec));
  }

  byte[] copyValue(int rec) {
    int off = valueOff(rec);
    return Arrays.copyOfRange(arena, off, off + valueLen(rec));
  }

  int compareKey(int rec, byte[] key) {
    return Keys.compare(arena, keyOff(rec), keyLen(rec), key);
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

  /** Bytes of message records held. */
  int bytes() {
    return used;
  }

  /** Heap bytes held (arena and index arrays). */
  long memoryBytes() {
    return 48L + arena.length + 4L * points.length + 4L * ranges.length;
  }

  void clear() {
    if (arena.length > 4096) {
      arena = new byte[64];
      points = new int[8];
      ranges = new int[2];
    }
    used = 0;
    pointCount = 0;
    rangeCount = 0;
  }

  // ---- adding ----

  /** Appends a message; {@code fn} is the UPDATE function's name (null otherwise). */
  void add(byte type, long msn, byte[] key, int keyOff, int keyLen, byte[] val, int valOff, int valLen, byte[] fn) {
    int size = HEADER + keyLen + 4 + valLen + (type == MessageType.UPDATE ? 1 + fn.length : 0);
    int rec = reserve(size);
    arena[rec] = type;
    BigEndian.putLong(arena, rec + 1, msn);
    BigEndian.putInt(arena, rec + 9, keyLen);
    System.arraycopy(key, keyOff, arena, rec + HEADER, keyLen);
    int v = rec + HEADER + keyLen;
    BigEndian.putInt(arena, v, valLen);
    System.arraycopy(val, valOff, arena, v + 4, valLen);
    if (type == MessageType.UPDATE) {
      int f = v + 4 + valLen;
      arena[f] = (byte) fn.length;
      System.arraycopy(fn, 0, arena, f + 1, fn.length);
    }
    index(rec);
  }

  /** Copies record {@code rec} of {@code src} into this buffer. */
  void addCopy(MessageBuffer src, int rec) {
    int size = src.recordSize(rec);
    int at = reserve(size);
    System.arraycopy(src.arena, rec, arena, at, size);
    index(at);
  }

  /**
   * Appends one record of {@code size} bytes copied from {@code src[off..)}, which the caller (the
   * node reader) has already validated; returns its offset in this buffer.
   */
  int appendRaw(byte[] src, int off, int size) {
    int at = reserve(size);
    System.arraycopy(src, off, arena, at, size);
    index(at);
    return at;
  }

  /** Grows the arena once so that {@code bytes} more fit (a batch add copies the arena once). */
  private void reserveCapacity(int bytes) {
    if (used + bytes > arena.length) {
      long want = Math.max(arena.length + (long) (arena.length >> 1), (long) used + bytes);
      arena = Arrays.copyOf(arena, (int) Math.min(Integer.MAX_VALUE - 16, want));
    }
  }

  private int reserve(int size) {
    if (used + size > arena.length) {
      long want = Math.max((long) arena.length * 2, (long) used + size);
      arena = Arrays.copyOf(arena, (int) Math.min(Integer.MAX_VALUE - 16, want));
    }
    int at = used;
    used += size;
    return at;
  }

  private void index(int rec) {
    if (type(rec) == MessageType.DELETE_RANGE) {
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

  private int compareRecords(int rec, int kOff, int kLen, long msn) {
    int c = Keys.compare(arena, keyOff(rec), keyLen(rec), arena, kOff, kLen);
    return c != 0 ? c : Long.compare(msn(rec), msn);
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

  /** Whether range message {@code rec} covers some key of [lo, hi) (null bounds are infinite). */
  boolean rangeOverlaps(int rec, byte[] lo, byte[] hi) {
    // range [s, e) overlaps [lo, hi) iff s < hi and e > lo
    if (hi != null && compareKey(rec, hi) >= 0) {
      return false;
    }
    return lo == null || Keys.compare(arena, valueOff(rec), valueLen(rec), lo) > 0;
  }

  /** Whether range message {@code rec} covers the key in {@code k[kOff..kOff+kLen)}. */
  boolean rangeCovers(int rec, byte[] k, int kOff, int kLen) {
    return Keys.compare(arena, keyOff(rec), keyLen(rec), k, kOff, kLen) <= 0
        && Keys.compare(arena, valueOff(rec), valueLen(rec), k, kOff, kLen) > 0;
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
      int rec = src.points[from + i];
      int size = src.recordSize(rec);
      int at = reserve(size);
      System.arraycopy(src.arena, rec, arena, at, size);
      added[i] = at;
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

  /**
   * Moves every message of this buffer into {@code dst}, dropping range messages {@code dst}
   * already holds (same MSN: a range message sent to two siblings that are being merged).
   */
  void moveAllTo(MessageBuffer dst) {
    dst.addSortedRun(this, 0, pointCount);
    outer:
    for (int i = 0; i < rangeCount; i++) {
      long msn = msn(ranges[i]);
      for (int j = 0; j < dst.rangeCount; j++) {
        if (dst.msn(dst.ranges[j]) == msn) {
          continue outer;
        }
      }
      dst.addCopy(this, ranges[i]);
    }
    clear();
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
