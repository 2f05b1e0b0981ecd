package dev.sapwood.internal.cache;

/** Where a {@link CacheTable} loads objects from and writes dirty ones to. */
public interface CacheBackend<T extends Cacheable> {
  /** What {@link #shrink} did. */
  enum Shrink {
    /** Dropped some parts; the object stays, smaller. */
    SHRUNK,
    /** Holds parts, all used since the last pass (now unmarked, so the next pass may drop them). */
    IN_USE,
    /** Holds nothing that can be dropped: only evicting the whole object frees memory. */
    NOTHING
  }

  /**
   * Reads the object stored under {@code key} (possibly partially: see {@link #shrink}), reached
   * through {@code via}: the object whose reference led to the key (a node's parent), or null if
   * none did (a tree's root). What the object takes from {@code via} it must hold when this
   * returns: the cache publishes it as returned.
   */
  T load(long key, T via);

  /** Writes a dirty object out and marks it clean. Called with the object write-latched. */
  void writeBack(T object);

  /**
   * Parks a dirty, write-latched object's image outside the heap instead of writing it (a
   * write-back tier), if it can: true if it did, and the cache then drops the object at once, or
   * calls {@link #cancelPark} if it cannot after all. The parked image is the object's state: a
   * later {@link #load} of its key must return it (dirty), and whatever writes dirty objects
   * (a checkpoint) must write it too.
   */
  default boolean park(T object) {
    return false;
  }

  /** Takes back a {@link #park} of an object the cache could not drop (pinned meanwhile); it stays dirty. */
  default void cancelPark(T object) {}

  /**
   * Called once a {@linkplain #load loaded} object is in the cache's map, where lookups find it,
   * by the loading thread (other threads may have used, written or evicted it meanwhile).
   */
  default void entered(T object) {}

  /** Called instead of {@link #entered} if a {@linkplain #load loaded} object could not be put in the map. */
  default void abandoned(T object) {}

  /**
   * Called once a write-latched object has left the cache whole (written, clean or parked) and no
   * one can pin it any more: what it holds may be given back for reuse; it is never read again.
   */
  default void left(T object) {}

  /**
   * Drops the parts of a clean, write-latched object that can be re-read later and have not been
   * used since the last pass (partial eviction), and unmarks the used ones.
   */
  Shrink shrink(T object);

  /**
   * Whether the object holds parts that {@link #shrink} could drop; read without a latch (a
   * hint). The clock then visits it even while the object itself is in use: a node used through
   * one partition should not keep all the others.
   */
  default boolean holdsParts(T object) {
    return false;
  }

  /**
   * Whether a dirty object is worth keeping in memory while the cache has other objects to write
   * back: one that absorbs many small changes between write-backs (a B^ε-tree's internal node,
   * whose buffers take messages that would otherwise be written back and read again between
   * flushes). Read without a latch (a hint); the {@link Clock} bounds how much of the budget such
   * objects may keep ({@link Clock#FAVOURED_SHARE}) and favours nothing once writes stop
   * ({@link Clock#QUIET_SWEEPS}).
   */
  default boolean favoured(T object) {
    return false;
  }

  /**
   * Whether an object lies on nearly every change's path, above the objects {@link #favoured}
   * keeps (a B^ε-tree's nodes above the parents of leaves: every flush from the root pins one of
   * them with the root latched, so a miss there stops the writers). The {@link Clock} passes such
   * objects by, neither written back, parked nor shrunk, as long as those it passed in the
   * current sweep take at most {@link Clock#BACKBONE_SHARE} of the budget and writes go on (a
   * quiet cache, {@link Clock#QUIET_SWEEPS}, treats them as any object). Read without a latch
   * (a hint).
   */
  default boolean backbone(T object) {
    return false;
  }
}
