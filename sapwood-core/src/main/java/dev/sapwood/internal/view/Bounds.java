package dev.sapwood.internal.view;

import java.util.Arrays;

/**
 * A {@link MapView}'s key range in ascending byte order: {@code lo} and {@code hi} are encoded
 * keys, either null for none, each inclusive or not. Immutable; sub-maps narrow it into a new one.
 */
record Bounds(byte[] lo, boolean loIncl, byte[] hi, boolean hiIncl) {
  /** No bounds: the whole tree. */
  static final Bounds ALL = new Bounds(null, false, null, false);

  static int cmp(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  /** Whether {@code k} lies past the end of the range going up (above hi) or down (below lo). */
  boolean beyond(byte[] k, boolean up) {
    byte[] b = up ? hi : lo;
    if (b == null) {
      return false;
    }
    int c = up ? cmp(k, b) : cmp(b, k);
    return c > 0 || c == 0 && !(up ? hiIncl : loIncl);
  }

  boolean contains(byte[] k) {
    return !beyond(k, false) && !beyond(k, true);
  }

  /**
   * The range of a {@code subMap}, {@code headMap} or {@code tailMap}: {@code from} and {@code to}
   * in the order of a view that is {@code descending} or not, either null for this range's own.
   *
   * @throws IllegalArgumentException if from is after to, or either lies outside this range
   */
  Bounds sub(byte[] from, boolean fromIncl, byte[] to, boolean toIncl, boolean descending) {
    if (from != null && to != null) {
      int c = cmp(from, to);
      if (descending ? c < 0 : c > 0) {
        throw new IllegalArgumentException("fromKey > toKey");
      }
    }
    return descending ? narrow(to, toIncl, from, fromIncl) : narrow(from, fromIncl, to, toIncl);
  }

  /** This range narrowed to [newLo, newHi] (ascending terms; null: keep this range's bound). */
  private Bounds narrow(byte[] newLo, boolean newLoIncl, byte[] newHi, boolean newHiIncl) {
    if (newLo != null && !admits(newLo, newLoIncl) || newHi != null && !admits(newHi, newHiIncl)) {
      throw new IllegalArgumentException("key out of the range of this map");
    }
    return new Bounds(newLo == null ? lo : newLo, newLo == null ? loIncl : newLoIncl,
        newHi == null ? hi : newHi, newHi == null ? hiIncl : newHiIncl);
  }

  /** Whether a new bound at {@code k} (inclusive when {@code incl}) stays inside this range. */
  private boolean admits(byte[] k, boolean incl) {
    return !(beyond(k, false) && (incl || cmp(k, lo) != 0)) && !(beyond(k, true) && (incl || cmp(k, hi) != 0));
  }
}
