package dev.sapwood.internal.cache;

/** Where a {@link CacheTable} loads objects from and writes dirty ones to. */
public interface CacheBackend<T extends Cacheable> {
  /** Reads the object stored under {@code key} (possibly partially: see {@link #shrink}). */
  T load(long key);

  /** Writes a dirty object out and marks it clean. Called with the object write-latched. */
  void writeBack(T object);

  /**
   * Drops parts of a clean, write-latched object that can be re-read later (partial eviction).
   * Returns true if anything was dropped, false if nothing can be, in which case the whole object
   * may be evicted.
   */
  boolean shrink(T object);
}
