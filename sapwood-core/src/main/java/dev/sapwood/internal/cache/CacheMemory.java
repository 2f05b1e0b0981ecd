package dev.sapwood.internal.cache;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The cache's memory accounting: the bytes its objects were last measured at, against its budget.
 * An object's {@code accountedBytes} is what it counts for; it changes only here, under the
 * object's monitor where another thread may measure it at the same time (not when the object
 * leaves the map: no one measures it then).
 *
 * <p>Invariants: {@link #used()} is the sum of {@code accountedBytes} of the objects in the cache's
 * map (an object is {@link #loaded} as it enters and {@link #dropped} as it leaves) plus the heap
 * bytes {@link #charged} for what the cache keeps outside its objects (the off-heap tier's index);
 * a write-pin release leaves an object's accounted bytes equal to its {@link
 * Cacheable#memoryBytes()}.
 */
final class CacheMemory {
  final long budget;
  private final AtomicLong used = new AtomicLong();

  CacheMemory(long budget) {
    this.budget = budget;
  }

  long used() {
    return used.get();
  }

  /** A freshly loaded object, about to enter the map: measured and counted. */
  void loaded(Cacheable o) {
    synchronized (o) {
      o.accountedBytes = o.memoryBytes();
    }
    used.addAndGet(o.accountedBytes);
  }

  /** Re-measures a latched object's memory and counts the difference. */
  void account(Cacheable o) {
    synchronized (o) {
      long now = o.memoryBytes();
      used.addAndGet(now - o.accountedBytes);
      o.accountedBytes = now;
    }
  }

  /** Counts {@code grownBy} more bytes for {@code o} (0: none), without measuring it. */
  void grown(Cacheable o, long grownBy) {
    if (grownBy != 0) {
      synchronized (o) {
        used.addAndGet(grownBy);
        o.accountedBytes += grownBy;
      }
    }
  }

  /** The bytes {@code o} was last measured at. */
  long accounted(Cacheable o) {
    synchronized (o) {
      return o.accountedBytes;
    }
  }

  /** Counts {@code delta} heap bytes held for the cache outside its objects (negative: freed). */
  void charged(long delta) {
    used.addAndGet(delta);
  }

  /** An object that left the map: its bytes no longer count. */
  void dropped(Cacheable o) {
    used.addAndGet(-o.accountedBytes);
  }

  /** An object removed for good: dropped, and counted at 0 should it be released again. */
  void removed(Cacheable o) {
    used.addAndGet(-o.accountedBytes);
    o.accountedBytes = 0;
  }

  /**
   * Whether {@code bytes} more would still leave a quarter of the budget free: the cache is
   * warming, not turning over. (Just under the budget is no sign of room: eviction stops there.)
   */
  boolean hasRoom(long bytes) {
    return used.get() + bytes <= budget - budget / 4;
  }
}
