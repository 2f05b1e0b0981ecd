package dev.sapwood.internal.util;

import java.util.List;

/**
 * A list's elements copied into an array of its element type, by a loop of element stores rather
 * than {@code ArrayList.toArray(T[])}. Why: {@code toArray} copies with one {@code System.arraycopy}
 * whose type check C2 speculates on from a profile every caller in the process shares, so a copy
 * into another array type than the ones seen first (a {@code Basement[]} after {@code byte[][]}s)
 * throws away the whole compiled caller it was inlined into (docs/benchmarks.md, "The stage slot":
 * {@code Reshaper.splitLeaf}, 55 KB of code, recompiled for it in every 1M-record load). Here each
 * caller's loop stores into an array whose type it knows.
 */
public final class ListArrays {
  private ListArrays() {}

  /**
   * Copies {@code from}'s elements into {@code to} from index 0 and returns {@code to}.
   *
   * @throws IllegalArgumentException if {@code to} is shorter than the list
   */
  public static <T> T[] copy(List<? extends T> from, T[] to) {
    int n = from.size();
    if (to.length < n) {
      throw new IllegalArgumentException(n + " elements into an array of " + to.length);
    }
    for (int i = 0; i < n; i++) {
      to[i] = from.get(i);
    }
    return to;
  }
}
