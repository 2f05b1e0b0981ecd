package dev.sapwood.internal.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fakes the cache's tests share: {@link Obj}, a cached object of settable size; {@link
 * FakeBackend}, which stores written-back values and counts what the cache asked of it; {@link
 * ParkingBackend}, which also parks; and the few steps the tests repeat ({@link #touch}, {@link
 * #dirty}, {@link #sumOfCached}).
 */
final class CacheFakes {
  private CacheFakes() {}

  /** A cached object with a settable size, a dirty flag and a value that must survive eviction. */
  static final class Obj extends Cacheable {
    volatile long size;
    volatile boolean dirty;
    volatile long value;

    Obj(long key, long size, long value) {
      super(key);
      this.size = size;
      this.value = value;
    }

    @Override
    public long memoryBytes() {
      return size;
    }

    @Override
    public boolean isDirty() {
      return dirty;
    }
  }

  /** Stores written-back values; counts loads, write-backs and shrinks per key. */
  static class FakeBackend implements CacheBackend<Obj> {
    final Map<Long, Long> stored = new ConcurrentHashMap<>();
    final Map<Long, AtomicInteger> loads = new ConcurrentHashMap<>();
    final AtomicInteger writeBacks = new AtomicInteger();
    final AtomicInteger shrinks = new AtomicInteger();
    final AtomicInteger violations = new AtomicInteger();
    final Map<Long, Boolean> lastShrink = new ConcurrentHashMap<>();
    volatile long loadSize = 100;
    /** Bytes a write-back adds to the object it writes (as a written node holds its new frame directory). */
    volatile long writeBackGrowth;
    volatile long shrinkTo = -1; // < 0: shrink drops nothing
    final java.util.Set<Long> favouredKeys = ConcurrentHashMap.newKeySet();
    final Map<Long, AtomicInteger> writeBacksOf = new ConcurrentHashMap<>();

    @Override
    public boolean favoured(Obj o) {
      return favouredKeys.contains(o.key());
    }

    @Override
    public Obj load(long key, Obj via) {
      loads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      return new Obj(key, loadSize, stored.getOrDefault(key, 0L));
    }

    @Override
    public void writeBack(Obj o) {
      if (!o.isWriteLatchedByCurrentThread()) {
        violations.incrementAndGet();
      }
      stored.put(o.key(), o.value);
      o.dirty = false;
      o.size += writeBackGrowth;
      writeBacks.incrementAndGet();
      writeBacksOf.computeIfAbsent(o.key(), k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public Shrink shrink(Obj o) {
      if (!o.isWriteLatchedByCurrentThread() || o.dirty) {
        violations.incrementAndGet();
      }
      if (shrinkTo >= 0 && o.size > shrinkTo) {
        o.size = shrinkTo;
        shrinks.incrementAndGet();
        lastShrink.put(o.key(), true);
        return Shrink.SHRUNK;
      }
      lastShrink.put(o.key(), false);
      return Shrink.NOTHING;
    }

    @Override
    public boolean holdsParts(Obj o) {
      return shrinkTo >= 0 && o.size > shrinkTo;
    }

    int loads(long key) {
      AtomicInteger n = loads.get(key);
      return n == null ? 0 : n.get();
    }
  }

  /** A backend that parks dirty objects it is asked to (keeping their values as their images), unless told not to. */
  static class ParkingBackend extends FakeBackend {
    final Map<Long, Long> parked = new ConcurrentHashMap<>();
    volatile boolean refuse;

    @Override
    public boolean park(Obj o) {
      if (refuse || !o.isWriteLatchedByCurrentThread() || !o.isDirty()) {
        return false;
      }
      parked.put(o.key(), o.value);
      return true;
    }

    @Override
    public void cancelPark(Obj o) {
      parked.remove(o.key());
    }

    @Override
    public Obj load(long key, Obj via) {
      Long p = parked.remove(key);
      Obj o = super.load(key, via);
      if (p != null) {
        o.value = p;
        o.dirty = true;
      }
      return o;
    }
  }

  /** The sum of the cached objects' own sizes (what the cache's accounting must equal). */
  static long sumOfCached(CacheTable<Obj> cache) {
    long[] sum = {0};
    cache.forEach(o -> sum[0] += o.memoryBytes());
    return sum[0];
  }

  /** Pins and unpins the object of {@code key} (read), loading it if it is not cached. */
  static void touch(CacheTable<Obj> cache, long key) {
    cache.unpinRead(cache.pinRead(key));
  }

  /** Write-pins the object of {@code key}, gives it {@code value}, leaves it dirty and unpins it. */
  static void dirty(CacheTable<Obj> cache, long key, long value) {
    Obj o = cache.pinWrite(key);
    o.value = value;
    o.dirty = true;
    cache.unpinWrite(o);
  }
}
