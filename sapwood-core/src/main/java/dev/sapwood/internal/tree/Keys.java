package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.BigEndian;
import java.util.Arrays;

/** Unsigned-lexicographic key comparison on arrays and array slices. */
final class Keys {
  private Keys() {}

  static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  static int compare(byte[] a, int aOff, int aLen, byte[] b) {
    return Arrays.compareUnsigned(a, aOff, aOff + aLen, b, 0, b.length);
  }

  static int compare(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
    return Arrays.compareUnsigned(a, aOff, aOff + aLen, b, bOff, bOff + bLen);
  }

  /** The larger of two lower bounds, where null means "no bound" (minus infinity). */
  static byte[] maxLow(byte[] a, byte[] b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return compare(a, b) >= 0 ? a : b;
  }

  /** The smaller of two upper bounds, where null means "no bound" (plus infinity). */
  static byte[] minHigh(byte[] a, byte[] b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return compare(a, b) <= 0 ? a : b;
  }

  /** The smallest key greater than {@code k}: {@code k} followed by one zero byte. */
  static byte[] successor(byte[] k) {
    return Arrays.copyOf(k, k.length + 1);
  }

  /**
   * Index of the child whose key range holds {@code key}: the number of pivots {@code <= key}.
   * Child i holds keys k with pivots[i-1] <= k < pivots[i].
   */
  static int childFor(byte[][] pivots, int pivotCount, byte[] key) {
    int lo = 0;
    int hi = pivotCount;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(pivots[mid], key) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Index of the child holding the largest key {@code < key}: the number of pivots {@code < key}.
   * Null means plus infinity (the last child).
   */
  static int childBefore(byte[][] pivots, int pivotCount, byte[] key) {
    if (key == null) {
      return pivotCount;
    }
    int lo = 0;
    int hi = pivotCount;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(pivots[mid], key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * The first eight bytes of {@code key[off..off+len)} as an unsigned big-endian long, zero-padded:
   * if two keys' prefixes differ, they order as the keys do (a shorter key padded with zeros is
   * below every longer key it begins).
   */
  static long prefix(byte[] key, int off, int len) {
    if (len >= 8) {
      return BigEndian.getLong(key, off);
    }
    long p = 0;
    for (int i = 0; i < len; i++) {
      p |= (key[off + i] & 0xFFL) << (56 - 8 * i);
    }
    return p;
  }
}
