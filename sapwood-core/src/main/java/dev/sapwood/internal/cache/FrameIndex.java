package dev.sapwood.internal.cache;

import java.util.Arrays;

/**
 * The off-heap tier's index: a map from a frame's key (never negative) to where its bytes lie
 * (a slab number, a position and a length packed into one long), as open addressing with linear
 * probing and backward-shift deletion (no tombstones), so lookups allocate nothing and a long
 * run of puts and evictions never degrades it.
 *
 * <p>Not thread-safe: {@link FrameCache} calls it under its lock. Invariants: the table's length
 * is a power of two; it is at most two thirds full; every key sits in the probe run from its home
 * slot without an empty slot between; {@link #size} is the number of keys held.
 */
final class FrameIndex {
  /** The value {@link #get} returns for a key not held; a key slot holding it is empty. */
  static final long EMPTY = -1;

  private long[] keys;
  private long[] vals;
  private int size;

  /** An index with room for {@code capacity} slots (a power of two). */
  FrameIndex(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity " + capacity + " is not a power of two");
    }
    keys = new long[capacity];
    vals = new long[capacity];
    Arrays.fill(keys, EMPTY);
  }

  /** The value held for {@code key}, or {@link #EMPTY}. */
  long get(long key) {
    int i = find(key);
    return i < 0 ? EMPTY : vals[i];
  }

  boolean contains(long key) {
    return find(key) >= 0;
  }

  int size() {
    return size;
  }

  /** Heap bytes of the table's arrays. */
  long heapBytes() {
    return 16L * keys.length;
  }

  /**
   * Holds {@code val} for {@code key}, which must not be held yet; returns the heap bytes the
   * table grew by (0 when it did not grow).
   */
  long put(long key, long val) {
    long grew = 0;
    if ((size + 1) * 3L > keys.length * 2L) {
      long[] ok = keys;
      long[] ov = vals;
      keys = new long[ok.length * 2];
      vals = new long[ok.length * 2];
      grew = 16L * ok.length;
      Arrays.fill(keys, EMPTY);
      size = 0;
      for (int i = 0; i < ok.length; i++) {
        if (ok[i] != EMPTY) {
          place(ok[i], ov[i]);
        }
      }
    }
    place(key, val);
    return grew;
  }

  /** Removes {@code key} if it is held with value {@code val}; returns whether it was. */
  boolean removeIf(long key, long val) {
    int i = find(key);
    if (i < 0 || vals[i] != val) {
      return false;
    }
    removeAt(i);
    return true;
  }

  private int find(long key) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      long k = keys[i];
      if (k == key) {
        return i;
      }
      if (k == EMPTY) {
        return -1;
      }
    }
  }

  private void place(long key, long val) {
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (keys[i] != EMPTY) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    vals[i] = val;
    size++;
  }

  /** Removes slot i, shifting back the entries of its probe run. */
  private void removeAt(int i) {
    int mask = keys.length - 1;
    int gap = i;
    for (int j = (i + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
      int home = slot(keys[j], mask);
      // Move j into the gap if its home is not in (gap, j] (cyclically).
      if (((j - home) & mask) >= ((j - gap) & mask)) {
        keys[gap] = keys[j];
        vals[gap] = vals[j];
        gap = j;
      }
    }
    keys[gap] = EMPTY;
    size--;
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
