package dev.sapwood.internal.tree;

import java.util.Arrays;

/**
 * The messages bound for one child of an internal node (also used as a scratch collection by
 * queries). Records live in the byte arena of {@link MessageArena} (which gives their layout); an
 * int array of record offsets keeps the point messages sorted, and range messages sit in a second
 * offset list in MSN order. Merging two siblings' buffers is {@link SiblingMerge}.
 *
 * <p>Messages added with a {@link Combiner} (a root's inserts, a flush's distribution) are folded
 * into the message of the same key just before them where the combiner allows it, so a key
 * updated many times holds one or two messages here, not one per update.
 *
 * <p>Beside each point offset sits its key's first eight bytes as an unsigned long ({@link
 * Keys#prefix}, zero-padded): searches compare those in one compact array and read a key in the arena
 * only when the prefixes tie, so a point query's search in a full buffer touches a few cache lines
 * instead of one arena record per probe.
 *
 * <p>Invariants: point offsets are sorted by (key, msn) ascending; range offsets by msn ascending;
 * every live record of the arena is in exactly one of the two lists, every dead one (replaced by a
 * combine) in neither; {@code prefixes[i]} is {@link Keys#prefix} of point i's key for every i below
 * pointCount (it orders keys as they order, ties aside). Not thread-safe: guarded by the owning
 * node's latch.
 */
final class MessageBuffer extends MessageArena {
  private int[] points = new int[8];
  private long[] prefixes = new long[8];
  private int pointCount;
  private int[] ranges = new int[2];
  private int rangeCount;

  MessageBuffer() {
    this(64);
  }

  MessageBuffer(int capacity) {
    super(capacity);
  }

  /**
   * A buffer over {@code records} (handed over, not copied): whole records back to back, none yet
   * in a list; the caller puts each in its list with {@link #indexInPlace} (the node reader, after
   * validating it) and discards the buffer if it cannot.
   */
  static MessageBuffer over(byte[] records) {
    return new MessageBuffer(records);
  }

  private MessageBuffer(byte[] records) {
    super(records);
  }

  // ---- sizes ----
  int pointCount() {
    return pointCount;
  }

  int point(int i) {
    return points[i];
  }

  /** The key prefix kept beside point i ({@link Keys#prefix}); for tests of the invariant. */
  long pointPrefix(int i) {
    return prefixes[i];
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
    return 48L + arena().length + 12L * points.length + 4L * ranges.length;
  }

  void clear() {
    if (arena().length > 4096) {
      points = new int[8];
      prefixes = new long[8];
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

  /**
   * Like {@link #add(byte, long, byte[], int, int, byte[], int, int, byte[])}, then folds a point
   * message into the one of its key before it where {@code combiner} allows (see {@link
   * #combineAround}). A root's inserts.
   */
  void add(byte type, long msn, byte[] key, int keyOff, int keyLen, byte[] val, int valOff, int valLen, byte[] fn,
      Combiner combiner) {
    int size = HEADER + keyLen + 4 + valLen + (MessageType.hasFunction(type) ? 1 + fn.length : 0);
    if (wastefulFor(size)) {
      compact(size);
    }
    int pos = index(writeRecord(type, msn, key, keyOff, keyLen, val, valOff, valLen, fn));
    if (pos >= 0) {
      combineAround(pos, combiner);
    }
  }

  /** Copies record {@code rec} of {@code src} into this buffer. */
  void addCopy(MessageBuffer src, int rec) {
    index(copyRecord(src, rec));
  }

  /**
   * After point message {@code p} was added as its key's newest here: folds it into the messages
   * of its key before it, one pair at a time, while {@code combiner} allows; if it cannot fold at
   * all (the newest may not be visible to snapshots yet: {@link SnapshotRegistry#mayCombine}), the
   * messages before it are folded the same way. So a key updated again and again holds one or two
   * messages here.
   */
  private void combineAround(int p, Combiner combiner) {
    if (p == 0 || prefixes[p - 1] != prefixes[p] || !sameKey(points[p - 1], points[p])) {
      return; // the key's only message here: the common case, one comparison of the kept prefixes
    }
    if (foldDown(p, combiner) == p) {
      foldDown(p - 1, combiner);
    }
  }

  /** Folds point {@code p} into the points of its key before it while allowed; returns where it ends. */
  private int foldDown(int p, Combiner combiner) {
    while (p > 0 && sameKey(points[p - 1], points[p])) {
      int r = combiner.combine(this, points[p - 1], points[p]);
      if (r < 0) {
        break;
      }
      points[p - 1] = r;
      removePoint(p);
      p--;
    }
    return p;
  }

  private boolean sameKey(int a, int b) {
    return Keys.compare(arena(), keyOff(a), keyLen(a), arena(), keyOff(b), keyLen(b)) == 0;
  }

  private void removePoint(int i) {
    System.arraycopy(points, i + 1, points, i, pointCount - i - 1);
    System.arraycopy(prefixes, i + 1, prefixes, i, pointCount - i - 1);
    pointCount--;
  }

  /**
   * Rewrites the arena with only the live records, in list order, with room for {@code more}
   * bytes: the dead records of combines are dropped instead of the arena growing past them.
   */
  private void compact(int more) {
    byte[] old = arena();
    int live = bytes();
    byte[] a = new byte[Math.max(64, live + Math.max(more, live / 2))];
    int at = 0;
    for (int i = 0; i < pointCount; i++) {
      int size = recordSize(points[i]);
      System.arraycopy(old, points[i], a, at, size);
      points[i] = at;
      at += size;
    }
    for (int i = 0; i < rangeCount; i++) {
      int size = recordSize(ranges[i]);
      System.arraycopy(old, ranges[i], a, at, size);
      ranges[i] = at;
      at += size;
    }
    replaceArena(a, at);
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
  private int index(int rec) {
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
    long px = keyPrefix(rec);
    int pos = insertionPoint(rec, px);
    System.arraycopy(points, pos, points, pos + 1, pointCount - pos);
    System.arraycopy(prefixes, pos, prefixes, pos + 1, pointCount - pos);
    points[pos] = rec;
    prefixes[pos] = px;
    pointCount++;
    return pos;
  }

  private long keyPrefix(int rec) {
    return Keys.prefix(arena(), keyOff(rec), keyLen(rec));
  }

  /** Orders point i against record {@code rec} (whose key's prefix is {@code px}) by (key, msn). */
  private int comparePoint(int i, int rec, long px) {
    int c = Long.compareUnsigned(prefixes[i], px);
    return c != 0 ? c : compareRecords(points[i], keyOff(rec), keyLen(rec), msn(rec));
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
    if (key == null) {
      return 0;
    }
    long px = Keys.prefix(key, 0, key.length);
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
    addSortedRun(src, from, to, null);
  }

  /**
   * Like {@link #addSortedRun(MessageBuffer, int, int)}; with a {@code combiner} (a flush into an
   * internal node), each added message is folded into the message of its key just before it where
   * the combiner allows. REQUIRES: with a combiner, the range messages that came with the run are
   * already in this buffer (a combine must see every range message between the two it folds).
   */
  void addSortedRun(MessageBuffer src, int from, int to, Combiner combiner) {
    int m = to - from;
    if (m <= 0) {
      return;
    }
    if (m < 8) {
      for (int i = from; i < to; i++) {
        int pos = index(copyRecord(src, src.points[i]));
        if (combiner != null) {
          combineAround(pos, combiner);
        }
      }
      return;
    }
    int bytes = 0;
    for (int i = from; i < to; i++) {
      bytes += src.recordSize(src.points[i]);
    }
    if (wastefulFor(bytes)) {
      compact(bytes);
    }
    reserveCapacity(bytes);
    int[] added = new int[m];
    for (int i = 0; i < m; i++) {
      added[i] = copyRecord(src, src.points[from + i]);
    }
    int[] merged = new int[Math.max(8, pointCount + m)];
    long[] mergedPrefixes = new long[merged.length];
    int a = 0;
    int b = 0;
    int k = 0;
    while (a < pointCount && b < m) {
      int rb = added[b];
      long pb = keyPrefix(rb);
      if (comparePoint(a, rb, pb) <= 0) {
        mergedPrefixes[k] = prefixes[a];
        merged[k++] = points[a++];
      } else {
        k = mergeAdded(merged, mergedPrefixes, k, added[b++], pb, combiner);
      }
    }
    while (a < pointCount) {
      mergedPrefixes[k] = prefixes[a];
      merged[k++] = points[a++];
    }
    while (b < m) {
      int rb = added[b++];
      k = mergeAdded(merged, mergedPrefixes, k, rb, keyPrefix(rb), combiner);
    }
    points = merged;
    prefixes = mergedPrefixes;
    pointCount = k;
  }

  /**
   * Puts added record {@code rec} (its key's prefix {@code px}) at {@code merged[k]}, or folds it
   * into {@code merged[k - 1]} (its key's message before it) if {@code combiner} allows; returns
   * the new length.
   */
  private int mergeAdded(int[] merged, long[] mergedPrefixes, int k, int rec, long px, Combiner combiner) {
    if (combiner != null && k > 0 && mergedPrefixes[k - 1] == px && sameKey(merged[k - 1], rec)) {
      int r = combiner.combine(this, merged[k - 1], rec);
      if (r >= 0) {
        merged[k - 1] = r;
        return k;
      }
    }
    merged[k] = rec;
    mergedPrefixes[k] = px;
    return k + 1;
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
