package dev.sapwood.internal.cache;

import dev.sapwood.internal.stats.Counters;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The node cache: objects by key, pinned with a read or write latch, kept under a memory budget by
 * a {@link Clock} that writes dirty objects back, shrinks clean ones (partial eviction) and then
 * drops them. The thread that finds the cache over budget evicts clean objects itself and hands the
 * writing of dirty ones to a background thread ({@link #setBackground}), so readers do not wait
 * on writes; a quarter over budget it writes them itself (back-pressure; {@link Eviction}).
 *
 * <p>Protocol: {@code pinRead}/{@code pinWrite} return the object latched; every pin is released
 * by the matching {@code unpin}. A thread may pin several objects (a root-to-leaf path, a parent
 * and two children); to avoid deadlock, latches are taken parent before child and left sibling
 * before right, and the evictor never blocks on a latch.
 *
 * <p>Its parts: {@link ThreadPinning} keeps each thread's {@link Pins} and the pin methods without a
 * {@code Pins} argument; {@link Pinning} pins and latches objects (by key, loading what is missing
 * through {@link CacheLoader}, by key only if cached, or by a kept reference) and releases read
 * pins; this class adds and removes objects, releases write pins and keeps the accounting; {@link
 * CacheMemory} counts the bytes against the budget; {@link Clock} and {@link Eviction} evict.
 *
 * <p>Invariants: {@link CacheMemory#used()} is the sum of {@code accountedBytes} of the objects in
 * the map plus what was {@link #charge}d, and eviction keeps it under the budget less the pools'
 * bytes counted ({@link #countPools}: none for a budget at or under the floor); an object in the
 * map is never evicted while pinned. An object removed for good ({@link #remove}, its block freed)
 * is never changed through the cache again: its write-pin holder cannot release it as changed
 * ({@code unpinWrite}), nor remove it a second time, and it cannot be pinned again ({@code
 * pinWriteKnown} and the pins by key refuse an evicted object; see {@link Pinning}) — each checked
 * always, by one read of the object's pin word, and an {@link IllegalStateException} naming the
 * key if broken.
 */
public final class CacheTable<T extends Cacheable> extends Pinning<T> {
  final CacheBackend<T> backend;
  final CacheMemory memory;
  private final Clock<T> clock;
  private final Eviction<T> eviction;

  final LongAdder evictions;
  final LongAdder partialEvictions;
  final LongAdder dirtyWrites;
  /** Set when a write pin leaves its object dirty; read and cleared by the clock once a sweep. */
  final AtomicBoolean changed = new AtomicBoolean();
  /** Set by {@link #keepDirty()}: the clock never writes a dirty object back. */
  volatile boolean keepDirty;

  public CacheTable(CacheBackend<T> backend, long budgetBytes, Counters counters) {
    this(backend, new CacheMemory(budgetBytes), counters);
  }

  private CacheTable(CacheBackend<T> backend, CacheMemory memory, Counters counters) {
    super(counters.counter("cache.hits"), counters.counter("cache.misses"), backend, memory);
    this.backend = backend;
    this.memory = memory;
    evictions = counters.counter("cache.evictions");
    partialEvictions = counters.counter("cache.partial_evictions");
    dirtyWrites = counters.counter("cache.evicted_dirty_writes");
    clock = new Clock<>(this, counters.counter("cache.clock_visits"));
    eviction = new Eviction<>(this, clock, counters.counter("cache.background_eviction_runs"));
  }

  /**
   * Releases a write pin of an object whose memory grew by exactly {@code grownBy} bytes (0: did
   * not change) since the cache last measured it, without measuring it again (a walk over a
   * leaf's basements): the caller changed it by a known amount. Invariant kept: the object's
   * accounted bytes equal its {@link Cacheable#memoryBytes()}.
   */
  public void unpinWriteGrown(T o, long grownBy) {
    checkNotRemoved(o);
    Pins p = held.get();
    forget(p, o);
    memory.grown(o, grownBy);
    if (!changed.get() && o.isDirty() && !p.unnoted) {
      changed.set(true);
    }
    o.latch.writeUnlock();
    release(o);
  }

  /** The bytes the cache last measured {@code o} at (for tests of {@link #unpinWriteGrown}). */
  public long accountedBytes(T o) {
    return memory.accounted(o);
  }

  /** Releases a write pin; the object's memory is re-measured (it may have changed). */
  public void unpinWrite(T o) {
    checkNotRemoved(o);
    Pins p = held.get();
    forget(p, o);
    account(o);
    if (!changed.get() && o.isDirty() && !p.unnoted) {
      changed.set(true);
    }
    o.latch.writeUnlock();
    release(o);
  }

  /**
   * Throws if write-pinned {@code o} left the cache: a pin holder's object is never evicted (the
   * evictor takes only unpinned ones), so it was removed (its block freed) by a second pin of the
   * same thread — and changing, re-accounting or removing it again would touch a freed block's
   * object (one volatile read; see the class invariants).
   */
  private static void checkNotRemoved(Cacheable o) {
    if (o.evicted()) {
      throw new IllegalStateException("block " + o.key()
          + " is still write-pinned for a change after it was removed from the cache (freed)");
    }
  }

  /** Adds a new object, returned pinned and write-latched. */
  public T insertPinned(T o) {
    o.initPinned();
    o.latch.writeLock();
    if (map.putIfAbsent(o.key(), o) != null) {
      o.latch.writeUnlock();
      throw new IllegalStateException("key " + o.key() + " already cached");
    }
    held.get().push(o, Pins.WRITE);
    account(o);
    return o;
  }

  /**
   * Removes a write-pinned object for good (its block was freed): it leaves the map, its latch
   * and pin are released, and later pins of the key load afresh.
   */
  public void remove(T o) {
    checkNotRemoved(o);
    forget(held.get(), o);
    o.markEvicted();
    map.remove(o.key(), o);
    memory.removed(o);
    o.latch.writeUnlock();
    release(o);
  }

  /** Removes an unpinned object by key, if cached (used when dropping blocks never pinned). */
  public void discard(long key) {
    T o = map.get(key);
    if (o != null) {
      T pinned = pinWrite(key);
      remove(pinned);
    }
  }

  /** Re-measures a latched object's memory (after a partial fetch added to it). */
  public void account(T o) {
    memory.account(o);
  }

  /**
   * Runs {@code action} on every cached object, without pinning (weakly consistent, like the
   * map's iteration): the action reads only what is safe to read racily, or the caller makes sure
   * no one else uses the objects.
   */
  public void forEach(Consumer<T> action) {
    map.values().forEach(action);
  }

  public long usedBytes() {
    return memory.used();
  }

  /**
   * Counts {@code delta} heap bytes the cache holds outside its objects (the off-heap tier's
   * index) against the budget, so that eviction keeps objects and index together within it.
   */
  public void charge(long delta) {
    memory.charged(delta);
  }

  /**
   * Counts what {@code keptBytes} reports (heap arrays that process-wide pools keep for reuse,
   * which the cache's objects would otherwise hold) against the budget, re-read at the start of
   * every eviction run: at most {@code capBytes}, and only what leaves the objects at least {@code
   * floorBytes} of the budget, so a budget at or under the floor counts none. The objects get what
   * the pools leave ({@link CacheMemory#limit}). Not part of {@link #usedBytes()}. Once, before use.
   */
  public void countPools(java.util.function.LongSupplier keptBytes, long floorBytes, long capBytes) {
    memory.countPools(keptBytes, floorBytes, capBytes);
  }

  /** The pools' bytes the budget counted at the last eviction run ({@link #countPools}). */
  public long pooledBytes() {
    return memory.pooled();
  }

  /** See {@link CacheMemory#hasRoom}. */
  public boolean hasRoom(long bytes) {
    return memory.hasRoom(bytes);
  }

  public long budget() {
    return memory.budget;
  }

  public int size() {
    return map.size();
  }

  @Override
  void release(T o) {
    o.unpinCount();
    eviction.afterRelease(memory.used());
  }

  /**
   * Sets where dirty objects are written back when over budget: {@code submit} queues a task
   * for a background thread and returns whether it took it. Until set, callers write them.
   */
  public void setBackground(Predicate<Runnable> submit) {
    eviction.setBackground(submit);
  }

  /**
   * Stops writing dirty objects back, for good (a read-only database, whose file takes no writes):
   * from now on they stay until discarded, beyond the budget if need be; clean ones are evicted as
   * before.
   */
  public void keepDirty() {
    keepDirty = true;
  }

  /**
   * Parks the object of {@code key} now ({@link CacheBackend#park}: it leaves the cache whole,
   * unwritten) if it is cached, dirty, unpinned and unlatched and the backend takes it; whether it
   * did. Never writes it back. For an object brought in for one change that should not stay.
   */
  public boolean parkNow(long key) {
    T o = map.get(key);
    return o != null && o.isDirty() && clock.parkNow(o);
  }

  /**
   * Runs the clock, writing dirty objects back, until usage is under budget or three full sweeps
   * found nothing to evict.
   */
  public void evict() {
    clock.evict();
  }

  /**
   * Tests: {@code hook} runs with the key on the loading thread after each loaded object is in the
   * map, where other threads find it, and before the backend is told ({@link CacheBackend#entered}).
   */
  public void onLoadPublished(java.util.function.LongConsumer hook) {
    loader.onPublished(hook);
  }

}
