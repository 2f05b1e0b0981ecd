package dev.sapwood.internal.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How a {@link CacheTable}'s objects are pinned and latched: by key, loading the object if it is
 * missing ({@code pinRead}, {@code pinWrite}, {@code pinUnlatched}); by key only if it is cached
 * ({@link #pinWriteIfCached}); by a reference kept from an earlier pin ({@link #pinWriteKnown});
 * and the release of read and unlatched pins. The table adds what a pin's release does to the
 * budget ({@link #release}) and the release of write pins, which re-measures the object.
 *
 * <p>Invariants: a pin is taken only with {@link Cacheable#tryPin}, which fails on an evicted
 * object, so an object that left the map (evicted, parked or removed) is never pinned again; a
 * write pin of an object found without loading it ({@link #pinWriteIfCached}, {@link
 * #pinWriteKnown}) is returned only if the object was still not evicted once its latch was held,
 * because it may leave while the thread waits for the latch. Every pin taken is pushed on the
 * thread's {@link Pins} with its latch mode and dropped from it when released; a thread never
 * takes a second latch of an object it latched (checked under assertions: latches are not
 * reentrant).
 */
abstract class Pinning<T extends Cacheable> extends ThreadPinning<T> {
  final ConcurrentHashMap<Long, T> map = new ConcurrentHashMap<>();
  final CacheLoader<T> loader;

  Pinning(LongAdder hits, LongAdder misses, CacheBackend<T> backend, CacheMemory memory) {
    super(hits);
    loader = new CacheLoader<>(map, backend, memory, misses);
  }

  /** Drops one pin of {@code o}, after its latch was released, and evicts if over budget. */
  abstract void release(T o);

  /** {@link #pinRead(long)} with the calling thread's {@link #pins()}. */
  @Override
  public T pinRead(long key, Pins p) {
    return pinRead(key, p, null);
  }

  /**
   * Pins and read-latches the object of {@code key}, loading it through {@code via} if it is not
   * cached ({@link CacheBackend#load}: the object whose reference led to the key, null if none).
   */
  public T pinRead(long key, Pins p, T via) {
    T o = pin(key, p, via);
    assert notLatched(p, o) : "latch of block " + o.key() + " taken twice by one thread";
    o.latch.readLock();
    p.push(o, Pins.READ);
    return o;
  }

  public T pinWrite(long key) {
    return pinWrite(key, null);
  }

  /**
   * Pins and write-latches the object of {@code key}, loading it through {@code via} as {@link
   * #pinRead(long, Pins, Cacheable)} does.
   */
  public T pinWrite(long key, T via) {
    Pins p = held.get();
    T o = pin(key, p, via);
    assert notLatched(p, o) : "latch of block " + o.key() + " taken twice by one thread";
    o.latch.writeLock();
    p.push(o, Pins.WRITE);
    return o;
  }

  /** {@link #pinUnlatched(long)} with the calling thread's {@link #pins()}. */
  @Override
  public T pinUnlatched(long key, Pins p) {
    return pinUnlatched(key, p, null);
  }

  /**
   * Pins the object of {@code key} without a latch, loading it through {@code via} as {@link
   * #pinRead(long, Pins, Cacheable)} does.
   */
  public T pinUnlatched(long key, Pins p, T via) {
    T o = pin(key, p, via);
    p.push(o, Pins.UNLATCHED);
    return o;
  }

  /** {@link #tryReadLatch(Cacheable, long)} with the calling thread's {@link #pins()}. */
  @Override
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

  /** {@link #unpinUnlatched(Cacheable)} with the calling thread's {@link #pins()}. */
  @Override
  public void unpinUnlatched(T o, Pins p) {
    forget(p, o);
    release(o);
  }

  /** {@link #unpinRead(Cacheable)} with the calling thread's {@link #pins()}. */
  @Override
  public void unpinRead(T o, Pins p) {
    forget(p, o);
    o.latch.readUnlock();
    release(o);
  }

  /** Whether the object of {@code key} is in the cache now (it may be gone a moment later). */
  public boolean isCached(long key) {
    return map.containsKey(key);
  }

  /** Pins and write-latches the object if it is cached; null (and no load) if it is not. */
  public T pinWriteIfCached(long key) {
    return pinWriteIfCached(key, true);
  }

  /**
   * Pins and write-latches the object of {@code key} if it is cached; null (and no load) if it is
   * not. If {@code wait} is false, also null (no wait) when its pin or latch is not free at once:
   * another thread holds or waits for its latch, or it is leaving the cache.
   */
  public T pinWriteIfCached(long key, boolean wait) {
    for (;;) {
      T o = map.get(key);
      if (o == null) {
        return null;
      }
      if (!o.tryPin()) {
        if (wait) {
          continue;
        }
        return null;
      }
      return latchWriteLive(o, wait) ? o : null;
    }
  }

  /**
   * Pins and write-latches {@code o}, an object this thread pinned before and kept a reference
   * to, if it is still the cached object of its key (neither evicted nor removed since); returns
   * false, with no pin and no latch, if it is not. The same as {@link #pinWriteIfCached} of its
   * key, without the map lookup (TokuFT's remembered rightmost leaf). If {@code wait} is false it
   * also returns false when another thread holds or waits for the latch, instead of waiting.
   */
  public boolean pinWriteKnown(T o, boolean wait) {
    if (!o.tryPin() || !latchWriteLive(o, wait)) {
      return false;
    }
    if (!o.referenced) {
      o.referenced = true;
    }
    return true;
  }

  /**
   * Write-latches {@code o}, which the calling thread just pinned, waiting for the latch if {@code
   * wait}; false, with the pin released and no latch, if {@code o} was removed (freed) or evicted
   * while the thread waited, or if {@code wait} is false and the latch was not free at once.
   */
  private boolean latchWriteLive(T o, boolean wait) {
    assert notLatched(held.get(), o) : "latch of block " + o.key() + " taken twice by one thread";
    if (wait) {
      o.latch.writeLock();
    } else if (!o.latch.tryWriteLock()) {
      release(o);
      return false;
    }
    if (o.evicted()) {
      o.latch.writeUnlock();
      release(o);
      return false;
    }
    held.get().push(o, Pins.WRITE);
    return true;
  }

  private T pin(long key, Pins p, T via) {
    for (;;) {
      T o = map.get(key);
      if (o == null) {
        o = loader.loadAbsent(key, via);
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
}
