package dev.sapwood.internal.tree;

/**
 * Where a tree hands work that writers need not wait for (flushing a gorged root). The engine
 * runs each task on a background thread under the same lock as a write, so a checkpoint never
 * sees a flush half done.
 */
public interface Background {
  /** Runs everything inline: for recovery, tests and databases without background threads. */
  Background INLINE = task -> false;

  /**
   * Queues {@code task} for a background thread; false if it was not taken (the caller then does
   * the work itself).
   */
  boolean submit(Runnable task);

  /**
   * Queues a run of the cache's clock (dirty nodes parked or written back) for a background
   * thread; false if it was not taken (the releasing thread then runs it itself once the cache is
   * a quarter over budget). By default it goes where {@link #submit} sends flushes; the engine
   * gives it a thread of its own, so it never waits behind a flush while writers run the cache
   * over.
   */
  default boolean submitEviction(Runnable task) {
    return submit(task);
  }
}
