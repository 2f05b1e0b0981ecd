package dev.sapwood.internal.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * The cache's miss path: loads the object of a key that is not in the map through the {@link
 * CacheBackend}, measures it and puts it in the map, counting the miss.
 *
 * <p>Invariants: a key is loaded by one thread at a time (a lock per stripe of keys; a thread
 * that waited finds the object its predecessor loaded), so the map never holds two objects of one
 * key and each load is counted once; the loaded object is accounted before it is visible; every
 * load that returned ends on the loading thread, with {@link CacheBackend#entered} once the object
 * is in the map, or {@link CacheBackend#abandoned} if it could not be put there (what the load
 * holds, a parked image, is settled either way).
 */
final class CacheLoader<T extends Cacheable> {
  private final Object[] loadLocks = new Object[64];
  private final ConcurrentHashMap<Long, T> map;
  private final CacheBackend<T> backend;
  private final CacheMemory memory;
  private final LongAdder misses;
  /** Tests: runs between a load's publication in the map and {@link CacheBackend#entered} (null: none). */
  private volatile LongConsumer published;

  CacheLoader(ConcurrentHashMap<Long, T> map, CacheBackend<T> backend, CacheMemory memory, LongAdder misses) {
    this.map = map;
    this.backend = backend;
    this.memory = memory;
    this.misses = misses;
    for (int i = 0; i < loadLocks.length; i++) {
      loadLocks[i] = new Object();
    }
  }

  /**
   * The object of {@code key}, loaded through {@code via} ({@link CacheBackend#load}) if no other
   * thread loaded it meanwhile; not pinned.
   */
  T loadAbsent(long key, T via) {
    synchronized (loadLocks[(int) (key & (loadLocks.length - 1))]) {
      T o = map.get(key);
      if (o != null) {
        return o;
      }
      misses.increment();
      o = backend.load(key, via);
      try {
        memory.loaded(o);
        map.put(key, o);
      } catch (RuntimeException | Error e) {
        backend.abandoned(o); // never findable: what its load holds (a parked image) is let go
        throw e;
      }
      LongConsumer hook = published;
      if (hook != null) {
        hook.accept(key);
      }
      backend.entered(o);
      return o;
    }
  }

  /** Tests: {@code hook} runs with the key after each load is in the map, before the backend hears of it. */
  void onPublished(LongConsumer hook) {
    published = hook;
  }
}
