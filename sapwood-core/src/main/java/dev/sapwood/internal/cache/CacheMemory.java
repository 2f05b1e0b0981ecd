package dev.sapwood.internal.cache;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

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
 *
 * <p>Arrays kept for reuse by process-wide pools (arena blocks, scratch arrays) are heap the
 * cache's objects would otherwise hold, and a large cache counts them too, though not in {@link
 * #used()}: what the objects may use is the {@link #limit()}, the budget less the pools' bytes as
 * last {@linkplain #recountPools recounted}, at most a fixed cap in bytes and never taking the
 * limit below a fixed floor ({@link #countPools}). A cache whose budget is at or under the floor
 * counts none: a small database is not taxed for pools it shares with every database of the
 * process. The limit never falls as the budget grows.
 */
final class CacheMemory {
  final long budget;
  private final AtomicLong used = new AtomicLong();
  /** What the pools keep now, read at each recount; nothing until {@link #countPools}. */
  private volatile LongSupplier pools = () -> 0;
  /** At most this much of what the pools keep is counted: {@code min(cap, budget - floor)}, or 0. */
  private volatile long poolsCountable;
  /** The pools' bytes as last recounted, in [0, poolsCountable]. */
  private volatile long pooled;

  CacheMemory(long budget) {
    this.budget = budget;
  }

  long used() {
    return used.get();
  }

  /** What the cache's objects (and its charges) may use: the budget less the pools' bytes counted. */
  long limit() {
    return budget - pooled;
  }

  /** The pools' bytes as last counted against the budget. */
  long pooled() {
    return pooled;
  }

  /**
   * Counts against the budget what {@code keptBytes} reports the pools keep, from the next
   * recount: at most {@code capBytes}, and only what leaves the objects at least {@code
   * floorBytes} of the budget (none if the budget is at or under it).
   */
  void countPools(LongSupplier keptBytes, long floorBytes, long capBytes) {
    if (floorBytes < 0 || capBytes < 0) {
      throw new IllegalArgumentException("floor " + floorBytes + ", cap " + capBytes);
    }
    poolsCountable = Math.max(0, Math.min(capBytes, budget - floorBytes));
    pools = keptBytes;
  }

  /**
   * Reads again what the pools keep (each eviction run starts with it: the pools change with
   * every flush, and a read costs a few monitors, too much for every release of a pin).
   */
  void recountPools() {
    pooled = Math.min(poolsCountable, Math.max(0, pools.getAsLong()));
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
    long limit = limit();
    return used.get() + bytes <= limit - limit / 4;
  }
}
