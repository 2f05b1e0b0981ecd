package dev.sapwood.internal.cache;

import dev.sapwood.internal.stats.Counters;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

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
 * <p>Invariants: {@code usedBytes} is the sum of {@code accountedBytes} of the objects in the map;
 * an object in the map is never evicted while pinned. An object removed for good ({@link #remove},
 * its block freed) is never changed through the cache again: its write-pin holder cannot release
 * it as changed ({@code unpinWrite}), nor remove it a second time, and it cannot be pinned again
 * ({@code pinWriteKnown} and the pins by key refuse an evicted object) — each checked always, by one
 * read of the object's pin word, and an {@link IllegalStateException} naming the key if broken.
 */
public final class CacheTable<T extends Cacheable> {
  final ConcurrentHashMap<Long, T> map = new ConcurrentHashMap<>();
  private final Object[] loadLocks = new Object[64];
  final CacheBackend<T> backend;
  final long budget;
  final AtomicLong usedBytes = new AtomicLong();
  private final Clock<T> clock;
  /** The objects each thread has pinned and not yet released, for clean-up after a failure. */
  private final ThreadLocal<Pins> held = ThreadLocal.withInitial(Pins::new);
  private final Eviction<T> eviction;

  private final LongAdder hits;
  private final LongAdder misses;
  final LongAdder evictions;
  final LongAdder partialEvictions;
  final LongAdder dirtyWrites;
  /** Set when a write pin leaves its object dirty; read and cleared by the clock once a sweep. */
  final AtomicBoolean changed = new AtomicBoolean();
  /** Set by {@link #keepDirty()}: the clock never writes a dirty object back. */
  volatile boolean keepDirty;

  public CacheTable(CacheBackend<T> backend, long budgetBytes, Counters counters) {
    this.backend = backend;
    this.budget = budgetBytes;
    for (int i = 0; i < loadLocks.length; i++) {
      loadLocks[i] = new Object();
    }
    hits = counters.counter("cache.hits");
    misses = counters.counter("cache.misses");
    evictions = counters.counter("cache.evictions");
    partialEvictions = counters.counter("cache.partial_evictions");
    dirtyWrites = counters.counter("cache.evicted_dirty_writes");
    clock = new Clock<>(this, counters.counter("cache.clock_visits"));
    eviction = new Eviction<>(this, clock, counters.counter("cache.background_eviction_runs"));
  }

  /**
   * The calling thread's record of its pins in this cache: fetched once by an operation that pins
   * several objects and passed to the {@code Pins} forms of the pin methods, which then skip the
   * per-pin {@code ThreadLocal} lookup. Only the calling thread may use it.
   */
  public Pins pins() {
    return held.get();
  }

  public T pinRead(long key) {
    return pinRead(key, held.get());
  }

  /** {@link #pinRead(long)} with the calling thread's {@link #pins()}. */
  public T pinRead(long key, Pins p) {
    T o = pin(key, p);
    assert notLatched(p, o) : "latch of block " + o.key() + " taken twice by one thread";
    o.latch.readLock();
    p.push(o, Pins.READ);
    return o;
  }

  public T pinWrite(long key) {
    Pins p = held.get();
    T o = pin(key, p);
    assert notLatched(p, o) : "latch of block " + o.key() + " taken twice by one thread";
    o.latch.writeLock();
    p.push(o, Pins.WRITE);
    return o;
  }

  /**
   * Pins the object without latching it: the caller then takes its read latch with {@link
   * #tryReadLatch}, or reads what the object's owner lets be read without the latch (a tree
   * leaf's flush view), and releases it with {@link #unpinRead} or {@link #unpinUnlatched}.
   */
  public T pinUnlatched(long key) {
    return pinUnlatched(key, held.get());
  }

  /** {@link #pinUnlatched(long)} with the calling thread's {@link #pins()}. */
  public T pinUnlatched(long key, Pins p) {
    T o = pin(key, p);
    p.push(o, Pins.UNLATCHED);
    return o;
  }

  /**
   * Takes the read latch of an object pinned by {@link #pinUnlatched}, waiting at most {@code
   * nanos} (0: not at all); whether it was taken. Interrupted, it waits without a limit and
   * keeps the interrupt.
   */
  public boolean tryReadLatch(T o, long nanos) {
    return tryReadLatch(o, nanos, held.get());
  }

  /** {@link #tryReadLatch(Cacheable, long)} with the calling thread's {@link #pins()}. */
  public boolean tryReadLatch(T o, long nanos, Pins p) {
    boolean taken;
    if (nanos <= 0) {
      taken = o.latch.tryReadLock();
    } else {
      try {
        taken = o.latch.tryReadLock(nanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        o.latch.readLock();
        taken = true;
      }
    }
    if (taken) {
      p.latchedRead(o);
    }
    return taken;
  }

  /** Releases a pin taken by {@link #pinUnlatched} whose latch was never taken. */
  public void unpinUnlatched(T o) {
    unpinUnlatched(o, held.get());
  }

  /** {@link #unpinUnlatched(Cacheable)} with the calling thread's {@link #pins()}. */
  public void unpinUnlatched(T o, Pins p) {
    forget(p, o);
    release(o);
  }

  /**
   * Runs {@code work} on the calling thread without the changes it makes counting as writes going
   * on: background work (the cleaner's flushes) that would otherwise keep a cache that takes no
   * more writes from going quiet, so that dirty objects stayed favoured while readers need the
   * room (see {@link Clock#QUIET_SWEEPS}).
   */
  public <R> R runUnnoted(Supplier<R> work) {
    Pins p = held.get();
    boolean outer = p.unnoted;
    p.unnoted = true;
    try {
      return work.get();
    } finally {
      p.unnoted = outer;
    }
  }

  /** Whether the object of {@code key} is in the cache now (it may be gone a moment later). */
  public boolean isCached(long key) {
    return map.containsKey(key);
  }

  /** Pins and write-latches the object if it is cached; null (and no load) if it is not. */
  public T pinWriteIfCached(long key) {
    for (;;) {
      T o = map.get(key);
      if (o == null) {
        return null;
      }
      if (!o.tryPin()) {
        continue;
      }
      return latchWriteLive(o) ? o : null;
    }
  }

  /**
   * Write-latches {@code o}, which the calling thread just pinned; false, with the pin released
   * and no latch, if {@code o} was removed (freed) or evicted while the thread waited.
   */
  private boolean latchWriteLive(T o) {
    assert notLatched(held.get(), o) : "latch of block " + o.key() + " taken twice by one thread";
    o.latch.writeLock();
    if (o.evicted()) {
      o.latch.writeUnlock();
      release(o);
      return false;
    }
    held.get().push(o, Pins.WRITE);
    return true;
  }

  /**
   * Pins and write-latches {@code o}, an object this thread pinned before and kept a reference
   * to, if it is still the cached object of its key (neither evicted nor removed since); returns
   * false, with no pin and no latch, if it is not. The same as {@link #pinWriteIfCached} of its
   * key, without the map lookup (TokuFT's remembered rightmost leaf).
   */
  public boolean pinWriteKnown(T o) {
    if (!o.tryPin() || !latchWriteLive(o)) {
      return false;
    }
    if (!o.referenced) {
      o.referenced = true;
    }
    return true;
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
    if (grownBy != 0) {
      synchronized (o) {
        usedBytes.addAndGet(grownBy);
        o.accountedBytes += grownBy;
      }
    }
    if (!changed.get() && o.isDirty() && !p.unnoted) {
      changed.set(true);
    }
    o.latch.writeUnlock();
    release(o);
  }

  /** The bytes the cache last measured {@code o} at (for tests of {@link #unpinWriteGrown}). */
  public long accountedBytes(T o) {
    synchronized (o) {
      return o.accountedBytes;
    }
  }

  public void unpinRead(T o) {
    unpinRead(o, held.get());
  }

  /** {@link #unpinRead(Cacheable)} with the calling thread's {@link #pins()}. */
  public void unpinRead(T o, Pins p) {
    forget(p, o);
    o.latch.readUnlock();
    release(o);
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
    usedBytes.addAndGet(-o.accountedBytes);
    o.accountedBytes = 0;
    o.latch.writeUnlock();
    release(o);
  }

  /**
   * Releases every pin and latch the calling thread still holds: the clean-up of an operation
   * that failed part-way, so that no latch outlives it (a later reader or writer would wait on it
   * forever). Does not evict.
   */
  public void releaseHeld() {
    Pins mine = held.get();
    mine.releaseAll();
    forget(mine, null);
  }

  /**
   * Drops {@code o}'s newest entry from the thread's record (null: none); once the thread holds
   * no pin, adds its counted hits to the shared counter, so the counter is exact between
   * operations and costs one shared add per operation rather than one per pin.
   */
  private void forget(Pins p, Cacheable o) {
    if (o != null) {
      p.forget(o);
    }
    if (p.hits != 0 && p.isEmpty()) {
      hits.add(p.hits);
      p.hits = 0;
    }
  }

  /**
   * For assertions: true if the calling thread holds no latch of {@code o}, which it just pinned;
   * otherwise releases that pin and returns false (a second latch would wait for itself once a
   * writer waits: node latches are not reentrant).
   */
  private boolean notLatched(Pins p, T o) {
    if (!p.latches(o)) {
      return true;
    }
    o.unpinCount();
    return false;
  }

  /** Whether the calling thread holds no pin (true between operations). */
  public boolean holdsNothing() {
    return held.get().isEmpty();
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
    synchronized (o) {
      long now = o.memoryBytes();
      usedBytes.addAndGet(now - o.accountedBytes);
      o.accountedBytes = now;
    }
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
    return usedBytes.get();
  }

  /**
   * Whether {@code bytes} more would still leave a quarter of the budget free: the cache is
   * warming, not turning over. (Just under the budget is no sign of room: eviction stops there.)
   */
  public boolean hasRoom(long bytes) {
    return usedBytes.get() + bytes <= budget - budget / 4;
  }

  public long budget() {
    return budget;
  }

  public int size() {
    return map.size();
  }

  private T pin(long key, Pins p) {
    for (;;) {
      T o = map.get(key);
      if (o == null) {
        o = loadAbsent(key);
      } else {
        p.hits++; // added to the shared counter once the thread holds no pin (forget)
      }
      if (!o.tryPin()) {
        continue; // evicted meanwhile: look it up again
      }
      if (!o.referenced) {
        o.referenced = true; // written only when clear: a shared node's line stays unwritten
      }
      return o;
    }
  }

  private T loadAbsent(long key) {
    synchronized (loadLocks[(int) (key & (loadLocks.length - 1))]) {
      T o = map.get(key);
      if (o != null) {
        return o;
      }
      misses.increment();
      o = backend.load(key);
      synchronized (o) {
        o.accountedBytes = o.memoryBytes();
      }
      usedBytes.addAndGet(o.accountedBytes);
      map.put(key, o);
      return o;
    }
  }

  private void release(T o) {
    o.unpinCount();
    eviction.afterRelease(usedBytes.get());
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

  /** Runs the clock until usage is under budget or two full sweeps found nothing to evict. */
  public void evict() {
    clock.evict(true);
  }

}
