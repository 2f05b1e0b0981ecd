package dev.sapwood.internal.store;

import java.util.Map;
import java.util.TreeMap;

/**
 * Hands out block numbers: the lowest freed number first, else a new one. Freed numbers are kept
 * as ranges, so a file with few live blocks but a high {@code next} costs little memory.
 *
 * <p>Invariants: every free range lies in {@code [1, next)}, is non-empty and does not touch
 * another; a number in {@code [1, next)} is either free or in use by the caller. Not thread-safe:
 * the owning {@link BlockFile} guards it.
 */
final class BlockNumberPool {
  private final TreeMap<Long, Long> free = new TreeMap<>(); // first -> one past last
  private long next;

  /** A pool where {@code [1, next)} are all in use. */
  BlockNumberPool(long next) {
    if (next < 1) {
      throw new IllegalArgumentException("next block number " + next + " < 1");
    }
    this.next = next;
  }

  /** A pool where the numbers of {@code [1, next)} not in {@code used} (ascending) are free. */
  static BlockNumberPool rebuild(long next, Iterable<Long> usedAscending) {
    BlockNumberPool p = new BlockNumberPool(next);
    long at = 1;
    for (long n : usedAscending) {
      if (n < at || n >= next) {
        throw new IllegalArgumentException("used block number " + n + " out of order or range");
      }
      if (n > at) {
        p.free.put(at, n);
      }
      at = n + 1;
    }
    if (at < next) {
      p.free.put(at, next);
    }
    return p;
  }

  /** A number not in use, > 0. */
  long allocate() {
    Map.Entry<Long, Long> first = free.pollFirstEntry();
    if (first == null) {
      return next++;
    }
    long n = first.getKey();
    if (n + 1 < first.getValue()) {
      free.put(n + 1, first.getValue());
    }
    return n;
  }

  /** Whether {@code n} was handed out and not released. */
  boolean isInUse(long n) {
    if (n < 1 || n >= next) {
      return false;
    }
    Map.Entry<Long, Long> e = free.floorEntry(n);
    return e == null || e.getValue() <= n;
  }

  /** Makes {@code n} reusable; IllegalArgumentException if it is not in use. */
  void release(long n) {
    if (!isInUse(n)) {
      throw new IllegalArgumentException("block number " + n + " is not in use");
    }
    long s = n;
    long e = n + 1;
    Map.Entry<Long, Long> before = free.floorEntry(n);
    if (before != null && before.getValue() == n) {
      s = before.getKey();
      free.remove(before.getKey());
    }
    Long afterEnd = free.remove(n + 1);
    if (afterEnd != null) {
      e = afterEnd;
    }
    free.put(s, e);
  }

  /** One more than the highest number ever handed out. */
  long next() {
    return next;
  }
}
