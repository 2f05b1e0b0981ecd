package dev.sapwood.internal.tree;

/**
 * The messages bound for one child of an internal node (also used as a scratch collection by
 * queries): what goes in and how. Records live in the byte arena of {@link MessageArena} (which
 * gives their layout) and are kept in order by {@link MessageIndex} (a sorted point list, a range
 * list in MSN order); this class adds messages one at a time or as sorted runs, copies key ranges
 * out, and folds a key's messages together. Merging two siblings' buffers is {@link SiblingMerge}.
 *
 * <p>Messages added with a {@link Combiner} (a root's inserts, a flush's distribution) are folded
 * into the message of the same key just before them where the combiner allows it, so a key
 * updated many times holds one or two messages here, not one per update.
 *
 * <p>Invariants: those of {@link MessageIndex} (every change of the lists goes through its
 * methods); a combine replaces adjacent point messages of one key by one record, and only where
 * the {@link Combiner} allows it. Not thread-safe: guarded by the owning node's latch.
 */
final class MessageBuffer extends MessageIndex {
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
    return over(records, 0, 0);
  }

  /**
   * As {@link #over(byte[])}, where the records are known to be {@code points} point and {@code
   * ranges} range messages (a whole partition, by its directory): the lists are made that size
   * once instead of doubling as the records are indexed. The counts are hints, bounded by what the
   * records could hold; the caller checks them against the records indexed.
   */
  static MessageBuffer over(byte[] records, int points, int ranges) {
    return new MessageBuffer(records, points, ranges);
  }

  private MessageBuffer(byte[] records, int points, int ranges) {
    super(records, points, ranges);
  }

  /**
   * As {@link #over(byte[])}, the records being {@code records[0, used)}: a peek's frames in an
   * array lent for one read ({@link PeekArrays}), longer than they are, indexed into the point and
   * prefix arrays given (lent likewise; at least 8 points, prefixes at least as long).
   */
  static MessageBuffer over(byte[] records, int used, int[] points, long[] prefixes) {
    return new MessageBuffer(records, used, points, prefixes);
  }

  private MessageBuffer(byte[] records, int used, int[] points, long[] prefixes) {
    super(records, used, points, prefixes);
  }

  /**
   * An empty buffer for a decoded partition of {@code bytes} bytes of {@code points} point and
   * {@code ranges} range messages (hints, bounded by what the bytes could hold): its head is a
   * block and its records go into blocks, all from the {@link BlockPool}, as they are appended.
   */
  static MessageBuffer inBlocks(int points, int ranges, int bytes) {
    return new MessageBuffer(points, ranges, bytes);
  }

  private MessageBuffer(int points, int ranges, int bytes) {
    super(BLOCK, points, ranges, bytes);
  }

  /**
   * An empty buffer for a merge of about {@code points} point and {@code ranges} range messages
   * in {@code bytes} bytes (hints: combined messages take less): its lists made that size once
   * instead of doubling as the runs are merged in, its head the bytes themselves under half a
   * block, else a block from the {@link BlockPool} (given back when the buffer is cleared) with
   * pooled blocks for the rest.
   */
  static MessageBuffer forMerge(int points, int ranges, long bytes) {
    int b = (int) Math.min(bytes, Integer.MAX_VALUE - BLOCK);
    return b >= BLOCK / 2 ? new MessageBuffer(points, ranges, b) : new MessageBuffer(Math.max(64, b), points, ranges, b);
  }

  private MessageBuffer(int capacity, int points, int ranges, int bytes) {
    super(capacity, points, ranges, bytes);
  }

  // ---- adding ----

  /** Appends a message; {@code fn} is the UPDATE function's name (null otherwise). */
  void add(byte type, long msn, byte[] key, int keyOff, int keyLen, byte[] val, int valOff, int valLen, byte[] fn) {
    index(writeRecord(type, msn, key, keyOff, keyLen, val, valOff, valLen, fn));
  }

  /**
   * Like {@link #add(byte, long, byte[], int, int, byte[], int, int, byte[])}, then folds a point
   * message into the one of its key before it where {@code combiner} allows (see {@link
   * #combineAround}). A root's inserts: past a sixteenth of a block the buffer's head grows to
   * a whole block at once ({@link #reserveBlockHead}), since a root's buffer takes many blocks
   * between flushes.
   */
  void add(byte type, long msn, byte[] key, int keyOff, int keyLen, byte[] val, int valOff, int valLen, byte[] fn,
      Combiner combiner) {
    int size = HEADER + keyLen + 4 + valLen + (MessageType.hasFunction(type) ? 1 + fn.length : 0);
    if (wastefulFor(size)) {
      compact(size);
    }
    reserveBlockHead(size); // a root's buffer: its head grows to a block at once, not by doubling
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
    if (p == 0 || pointPrefix(p - 1) != pointPrefix(p) || !sameKey(point(p - 1), point(p))) {
      return; // the key's only message here: the common case, one comparison of the kept prefixes
    }
    if (foldDown(p, combiner) == p) {
      foldDown(p - 1, combiner);
    }
  }

  /** Folds point {@code p} into the points of its key before it while allowed; returns where it ends. */
  private int foldDown(int p, Combiner combiner) {
    while (p > 0 && sameKey(point(p - 1), point(p))) {
      int r = combiner.combine(this, point(p - 1), point(p));
      if (r < 0) {
        break;
      }
      setPoint(p - 1, r);
      removePoint(p);
      p--;
    }
    return p;
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
      if (msn(point(i)) <= maxMsn) {
        dst.addCopy(this, point(i));
      }
    }
    for (int i = 0; i < rangeCount(); i++) {
      if (msn(range(i)) <= maxMsn && rangeOverlaps(range(i), lo, hi)) {
        dst.addCopy(this, range(i));
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
        int pos = index(copyRecord(src, src.point(i)));
        if (combiner != null) {
          combineAround(pos, combiner);
        }
      }
      return;
    }
    int bytes = 0;
    for (int i = from; i < to; i++) {
      bytes += src.recordSize(src.point(i));
    }
    if (wastefulFor(bytes)) {
      compact(bytes);
    }
    reserveCapacity(bytes);
    RunScratch scratch = RunScratch.take(m, pointCount() + m);
    int[] added = scratch.added;
    for (int i = 0; i < m; i++) {
      added[i] = copyRecord(src, src.point(from + i));
    }
    admitRun(added[0], added[m - 1]);
    int[] merged = scratch.merged;
    long[] mergedPrefixes = scratch.prefixes;
    int a = 0;
    int b = 0;
    int k = 0;
    while (a < pointCount() && b < m) {
      int rb = added[b];
      long pb = keyPrefix(rb);
      if (comparePoint(a, rb, pb) <= 0) {
        mergedPrefixes[k] = pointPrefix(a);
        merged[k++] = point(a++);
      } else {
        k = mergeAdded(merged, mergedPrefixes, k, added[b++], pb, combiner);
      }
    }
    while (a < pointCount()) {
      mergedPrefixes[k] = pointPrefix(a);
      merged[k++] = point(a++);
    }
    if (k == 0) {
      // The buffer had no points: the run's first message has nothing before it to fold into. Taken
      // here so that k > 0 in the loop below: C2 hoists mergeAdded's read of merged[k - 1] (behind
      // k > 0) out of it, and at k = 0 that check fails and throws the compiled loop away.
      int rb = added[b++];
      k = mergeAdded(merged, mergedPrefixes, 0, rb, keyPrefix(rb), null);
    }
    while (b < m) {
      int rb = added[b++];
      k = mergeAdded(merged, mergedPrefixes, k, rb, keyPrefix(rb), combiner);
    }
    copyPoints(merged, mergedPrefixes, k);
    scratch.give();
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

  /**
   * The arrays a sorted run's merge works in, kept per thread so that a flush into a buffer that
   * lives in the cache does not leave the buffer's old lists behind as garbage (they are merged
   * here and copied back). Taken off the thread's slot while in use, so a merge nested in another
   * (an update function's code) gets fresh arrays; arrays past {@link #KEPT} entries are not kept.
   */
  private static final class RunScratch {
    static final int KEPT = 8 << 10;
    private static final ThreadLocal<RunScratch> SLOT = new ThreadLocal<>();

    int[] added = new int[0];
    int[] merged = new int[0];
    long[] prefixes = new long[0];

    static RunScratch take(int added, int merged) {
      RunScratch s = SLOT.get();
      if (s == null) {
        s = new RunScratch();
      } else {
        SLOT.set(null);
      }
      if (s.added.length < added) {
        s.added = new int[Math.max(added, Math.min(KEPT, s.added.length * 2))];
      }
      if (s.merged.length < merged) {
        int n = Math.max(merged, Math.min(KEPT, s.merged.length * 2));
        s.merged = new int[n];
        s.prefixes = new long[n];
      }
      return s;
    }

    void give() {
      if (added.length <= KEPT && merged.length <= KEPT) {
        SLOT.set(this);
      }
    }
  }
}
