package dev.sapwood.internal.tree;

import java.util.Arrays;

/**
 * The order of a {@link MessageBuffer}'s records: two lists of record offsets into the arena of
 * {@link MessageArena}, the point messages sorted by (key, MSN) and the range messages in MSN
 * order, with the searches and scans over them. The buffer on top decides what goes in (adding,
 * combining, copying runs and ranges); this class keeps it ordered.
 *
 * <p>Beside each point offset sits eight bytes of its key as an unsigned long ({@link Keys#prefix},
 * zero-padded): the eight after the {@link #prefixSkip()} bytes every point key shares. Searches
 * compare those in one compact array and read a key in the arena only when the prefixes tie, so a
 * point query's search in a full buffer touches a few cache lines instead of one arena record per
 * probe, also where keys share a long start (YCSB's {@code user} and digits, a table's id).
 *
 * <p>Invariants: point offsets are sorted by (key, msn) ascending; range offsets by msn ascending;
 * every live record of the arena is in exactly one of the two lists, every dead one (replaced by a
 * combine) in neither; every point key begins with the same {@code skip} bytes, and {@code
 * prefixes[i]} is {@link Keys#prefix} of point i's key after them for every i below pointCount (it
 * orders keys as they order, ties aside). The subclass changes the point list only
 * through {@link #setPoint}, {@link #removePoint} and {@link #copyPoints}, which keep the prefixes
 * beside it. Not thread-safe: guarded by the owning node's latch.
 */
abstract sealed class MessageIndex extends MessageArena permits MessageBuffer {
  private int[] points;
  private long[] prefixes;
  private int pointCount;
  private int[] ranges;
  private int rangeCount;
  /** Bytes at the start of every point key that the kept prefixes leave out (all points share them). */
  private int skip;
  /**
   * The most bytes left out: each time the shared start shrinks the prefixes are taken again, so
   * this bounds that work at this many passes over a buffer's points whatever the keys.
   */
  private static final int MAX_SKIP = 64;

  MessageIndex(int capacity) {
    super(capacity);
    points = new int[8];
    prefixes = new long[8];
    ranges = new int[2];
  }

  /**
   * Empty, with a head of {@code capacity} bytes and lists for about {@code pointsHint} and {@code
   * rangesHint} messages (a decoded partition's counts, bounded by what {@code bytes} of records
   * could hold), a quarter more room in the point list as below.
   */
  MessageIndex(int capacity, int pointsHint, int rangesHint, int bytes) {
    super(capacity);
    int most = bytes / (HEADER + 4);
    int hint = Math.min(pointsHint, most);
    points = new int[Math.max(8, hint + (hint >> 2))];
    prefixes = new long[points.length];
    ranges = new int[Math.max(2, Math.min(rangesHint, most))];
  }

  /** Over records handed over by the node reader: see {@link MessageBuffer#over}. */
  MessageIndex(byte[] records, int pointsHint, int rangesHint) {
    super(records);
    // Counts from the node's directory, unchecked yet: no more than the records could hold. A
    // quarter more room, so the next flush into the buffer (a parked node's, loaded back for it)
    // merges into the lists where they are instead of doubling them at once.
    int most = records.length / (HEADER + 4);
    int hint = Math.min(pointsHint, most);
    points = new int[Math.max(8, hint + (hint >> 2))];
    prefixes = new long[points.length];
    ranges = new int[Math.max(2, Math.min(rangesHint, most))];
  }

  /**
   * Over the records {@code records[0, used)}, indexed into the given point and prefix arrays (at
   * least 8 points, prefixes at least as long; a peek's, lent for one read): see {@link MessageBuffer#over(byte[],
   * int, int[], long[])}. Lists that outgrow them move to fresh arrays.
   */
  MessageIndex(byte[] records, int used, int[] points, long[] prefixes) {
    super(records, used);
    if (points.length < 8 || prefixes.length < points.length) {
      throw new IllegalArgumentException("point lists of " + points.length + " and " + prefixes.length);
    }
    this.points = points;
    this.prefixes = prefixes;
    ranges = new int[2];
  }

  // ---- reading the lists ----
  final int pointCount() {
    return pointCount;
  }

  final int point(int i) {
    return points[i];
  }

  /** The key prefix kept beside point i ({@link Keys#prefix} after {@link #prefixSkip()} bytes). */
  final long pointPrefix(int i) {
    return prefixes[i];
  }

  /** Bytes at the start shared by every point key and left out of the kept prefixes. */
  final int prefixSkip() {
    return skip;
  }

  final int rangeCount() {
    return rangeCount;
  }

  final int range(int i) {
    return ranges[i];
  }

  final boolean isEmpty() {
    return pointCount == 0 && rangeCount == 0;
  }

  /** Heap bytes held (arena and index arrays). */
  long memoryBytes() {
    return 48L + capacity() + 12L * points.length + 4L * ranges.length;
  }

  void clear() {
    if (capacity() > 4096) {
      points = new int[8];
      prefixes = new long[8];
      ranges = new int[2];
    }
    clearArena();
    pointCount = 0;
    rangeCount = 0;
  }

  // ---- the point list, for the buffer on top ----

  /**
   * Makes point {@code i} record {@code rec}, which has the same key as the record it replaces (a
   * combine's result), so the list stays sorted and the prefix stays right.
   */
  final void setPoint(int i, int rec) {
    points[i] = rec;
  }

  /** Drops point {@code i} from the list (its record was folded into the one before it). */
  final void removePoint(int i) {
    System.arraycopy(points, i + 1, points, i, pointCount - i - 1);
    System.arraycopy(prefixes, i + 1, prefixes, i, pointCount - i - 1);
    pointCount--;
  }

  /**
   * Replaces the point list by a copy of {@code merged[0..count)} with their key prefixes beside
   * them (the lists' arrays kept where they are large enough, else doubled as {@link #index}
   * does): a sorted merge built by the buffer on top, which must keep the list's invariant (the
   * prefixes taken by {@link #keyPrefix} after {@link #admitRun} let every key in).
   */
  final void copyPoints(int[] merged, long[] mergedPrefixes, int count) {
    if (points.length < count) {
      int n = Math.max(count, points.length * 2);
      points = new int[n];
      prefixes = new long[n];
    }
    System.arraycopy(merged, 0, points, 0, count);
    System.arraycopy(mergedPrefixes, 0, prefixes, 0, count);
    pointCount = count;
  }

  /**
   * Rewrites the arena with only the live records, in list order, with room for {@code more}
   * bytes: the dead records of combines are dropped instead of the arena growing past them.
   */
  final void compact(int more) {
    int live = bytes();
    byte[] a = new byte[Math.max(64, live + Math.max(more, live / 2))];
    int at = 0;
    for (int i = 0; i < pointCount; i++) {
      at = moveTo(a, at, points, i);
    }
    for (int i = 0; i < rangeCount; i++) {
      at = moveTo(a, at, ranges, i);
    }
    replaceArena(a, at);
  }

  private int moveTo(byte[] a, int at, int[] list, int i) {
    int rec = list[i];
    int size = recordSize(rec);
    System.arraycopy(arena(rec), at(rec), a, at, size);
    list[i] = at;
    return at + size;
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

  /**
   * Puts the record already at offset {@code rec} of a buffer made {@link #over} the reader's
   * bytes in its list (validated by the caller); returns its position as {@link #appendRaw} does.
   */
  int indexInPlace(int rec) {
    return index(rec);
  }

  /** Puts record {@code rec} in its list; returns its position among the points, -1 for a range. */
  final int index(int rec) {
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
      return -1;
    }
    if (pointCount == points.length) {
      points = Arrays.copyOf(points, pointCount * 2);
      prefixes = Arrays.copyOf(prefixes, pointCount * 2);
    }
    admitRun(rec, rec);
    long px = keyPrefix(rec);
    int pos = insertionPoint(rec, px);
    System.arraycopy(points, pos, points, pos + 1, pointCount - pos);
    System.arraycopy(prefixes, pos, prefixes, pos + 1, pointCount - pos);
    points[pos] = rec;
    prefixes[pos] = px;
    pointCount++;
    return pos;
  }

  /**
   * Before the sorted records {@code first..last} (in this arena, not yet in the list) join the
   * points: lowers the shared start to what their keys share with the points' and with each other
   * (every key between two keys shares what those two share), re-taking the kept prefixes if it
   * moved. With no points the shared start is the run's own.
   */
  final void admitRun(int first, int last) {
    int s = pointCount == 0 ? Math.min(MAX_SKIP, keyLen(first)) : commonPrefix(points[0], first, skip);
    if (last != first) {
      s = commonPrefix(first, last, s);
    }
    if (s != skip) {
      skip = s;
      for (int i = 0; i < pointCount; i++) {
        prefixes[i] = keyPrefix(points[i]);
      }
    }
  }

  /** The key prefix ({@link Keys#prefix}) of record {@code rec} after the shared start, as kept beside a point. */
  final long keyPrefix(int rec) {
    int n = keyLen(rec) - skip;
    return n <= 0 ? 0 : Keys.prefix(arena(rec), keyOff(rec) + skip, n);
  }

  /** Orders point i against record {@code rec} (whose key's prefix is {@code px}) by (key, msn). */
  final int comparePoint(int i, int rec, long px) {
    int c = Long.compareUnsigned(prefixes[i], px);
    return c != 0 ? c : compareRecords(points[i], rec);
  }

  /** Position after every point message ordered at or before {@code rec} by (key, msn). */
  private int insertionPoint(int rec, long px) {
    // Fast path: appending in order (sequential keys, or a sorted batch).
    if (pointCount == 0 || comparePoint(pointCount - 1, rec, px) <= 0) {
      return pointCount;
    }
    int lo = 0;
    int hi = pointCount;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (comparePoint(mid, rec, px) <= 0) {
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
    if (key == null || pointCount == 0) {
      return 0;
    }
    long px = 0;
    if (skip > 0) {
      // Every point key starts with the same skip bytes: a key that does not comes before or after all.
      int ref = points[0];
      int n = Math.min(skip, key.length);
      int c = Arrays.compareUnsigned(arena(ref), keyOff(ref), keyOff(ref) + n, key, 0, n);
      if (c != 0 || key.length < skip) {
        return c < 0 ? pointCount : 0;
      }
    }
    if (key.length > skip) {
      px = Keys.prefix(key, skip, key.length - skip);
    }
    int lo = 0;
    int hi = pointCount;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(prefixes[mid], px);
      if (c < 0 || c == 0 && compareKey(points[mid], key) < 0) {
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

  // ---- scans ----

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
