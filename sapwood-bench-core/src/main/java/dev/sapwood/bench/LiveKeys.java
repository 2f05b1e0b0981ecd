package dev.sapwood.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which key numbers are present, as a concurrent bit set (num/8 bytes), so space amplification
 * divides by the bytes the user actually has stored.
 */
final class LiveKeys {
  private final AtomicLongArray words;
  private final AtomicLong count = new AtomicLong();

  LiveKeys(long num) {
    words = new AtomicLongArray((int) ((num + 63) >>> 6));
  }

  void set(long n) {
    int w = (int) (n >>> 6);
    long bit = 1L << n;
    long old = words.getAndUpdate(w, x -> x | bit);
    if ((old & bit) == 0) {
      count.incrementAndGet();
    }
  }

  void clear(long n) {
    int w = (int) (n >>> 6);
    long bit = 1L << n;
    long old = words.getAndUpdate(w, x -> x & ~bit);
    if ((old & bit) != 0) {
      count.decrementAndGet();
    }
  }

  boolean get(long n) {
    return (words.get((int) (n >>> 6)) & (1L << n)) != 0;
  }

  long count() {
    return count.get();
  }
}
