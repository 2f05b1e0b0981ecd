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
}
