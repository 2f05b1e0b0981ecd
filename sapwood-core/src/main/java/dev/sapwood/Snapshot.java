package dev.sapwood;

/**
 * A point-in-time, read-only view of every tree of a database ({@link Database#snapshot()}): it
 * sees every change committed before it was taken — single writes, batches, transactions — and
 * nothing committed after, until it is closed.
 *
 * <p>Taking one is O(1) and never waits for writers, not even for a batch that holds the database
 * exclusively (one larger than a node): it then sees none of that batch. Its reads, like every
 * read, wait for such a batch to finish. While it is open, flushes keep the old values
 * it still needs in memory (stats {@code versions.retained}); a snapshot held for long while its
 * keys are overwritten costs that memory, never correctness. Close it when done: an open snapshot
 * keeps its versions until it closes. Snapshots do not survive closing the database.
 *
 * <p>Thread-safe: a snapshot may be shared by threads. Using it (or a cursor from it) after it or
 * its database was closed throws {@link IllegalStateException}, as does using a dropped tree.
 */
public interface Snapshot extends AutoCloseable {
  /**
   * The value of {@code key} in {@code tree} at this snapshot, or null if absent then.
   *
   * @throws IllegalArgumentException if the key is null or too long, or the tree belongs to
   *     another database
   */
  byte[] get(Tree tree, byte[] key);

  /**
   * A cursor over {@code tree} as it was at this snapshot: both directions and seek see exactly
   * the snapshot's entries, however the tree changes meanwhile. Not thread-safe (one thread at a
   * time); close it when done.
   */
  Cursor cursor(Tree tree);

  /**
   * A cursor over the keys of {@code range} in {@code tree} as it was at this snapshot, bounded as
   * {@link Tree#cursor(KeyRange)} is (a reversed range walks from its largest key down).
   *
   * @throws IllegalArgumentException if {@code range} is null or the tree belongs to another
   *     database
   */
  Cursor cursor(Tree tree, KeyRange range);

  /**
   * The entries of {@code range} in {@code tree} at this snapshot, in the range's order, as {@link
   * Tree#scan(KeyRange)} gives them: each iteration (or stream) walks its own bounded cursor.
   * Close the scan when done; the snapshot must stay open while it is used.
   *
   * @throws IllegalArgumentException if {@code range} is null or the tree belongs to another
   *     database
   */
  Scan scan(Tree tree, KeyRange range);

  /** Ends the snapshot and lets the versions it held be collected. Idempotent. */
  @Override
  void close();
}
