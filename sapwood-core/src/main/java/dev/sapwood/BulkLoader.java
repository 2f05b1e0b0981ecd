package dev.sapwood;

/**
 * Loads sorted entries into an empty {@link Tree} by building the tree bottom-up: full leaves
 * written straight to the database file as they fill, then the levels above them, then one
 * install — instead of one message per entry through the root's buffers, the log and the flushes.
 * From {@link Tree#bulkLoader()}; for example:
 *
 * <pre>{@code
 * try (BulkLoader loader = tree.bulkLoader()) {
 *   for (...) {
 *     loader.add(key, value); // keys strictly ascending
 *   }
 *   loader.finish(); // installed and durable
 * }
 * }</pre>
 *
 * <p><b>Order.</b> Keys must be strictly ascending as unsigned bytes (no duplicates). A key not
 * above the one before, a null or over its {@link Limits}, is an {@link IllegalArgumentException}
 * that abandons the load.
 *
 * <p><b>Visibility.</b> Readers of the tree see nothing of the load until {@link #finish}, then all
 * of it at once: the install happens while no reader or writer of the database runs. Writes to
 * the tree during the load are allowed but make the tree non-empty, so {@link #finish} then fails.
 *
 * <p><b>Durability.</b> Entries are not logged. {@link #finish} installs the load and takes a
 * checkpoint; when it returns the whole load is durable. A crash before that checkpoint completes
 * leaves the tree as it was before the load (empty), and the space the load wrote is free again
 * when the database next opens; a crash after it leaves the whole load. Changes other threads make
 * to the tree after the install but before {@code finish} returns are logged as usual; after a
 * crash in that window they are replayed onto the tree without the load.
 *
 * <p><b>Abandoning.</b> {@link #close} without a successful {@link #finish}, or any exception from
 * {@link #add} or {@link #finish} (but the retryable {@link IllegalStateException} of an open
 * snapshot, see {@link #finish}), abandons the load: nothing is applied and the blocks written are
 * given back. After that every call but {@code close} is an {@link IllegalStateException}.
 *
 * <p><b>Memory</b> does not grow with the input: one leaf and one internal node per level are
 * under construction at a time (each leaf is written as soon as it is full), plus a few bytes per
 * node written.
 *
 * <p>Not thread-safe: one thread (or threads that hand it over with a happens-before edge) uses a
 * loader. A failed write is a {@link StorageException} (sticky for the database, as for any
 * write). Closing the database abandons an unfinished load.
 */
public interface BulkLoader extends AutoCloseable {
  /**
   * Appends an entry, after every entry added before.
   *
   * @throws IllegalArgumentException if the key is not above the previous one, or the key or value
   *     is null or over its {@link Limits}; the load is abandoned
   * @throws IllegalStateException if the load was finished or abandoned, or the database closed
   * @throws StorageException if writing a full node failed; the load is abandoned
   */
  void add(byte[] key, byte[] value);

  /**
   * Writes the nodes still under construction, installs the load as the tree's contents and takes
   * a checkpoint; returns the number of entries loaded. Once it returns the load is visible and
   * durable, and {@link Tree#approximateSize()} is exact. A load of no entries changes nothing.
   *
   * @throws IllegalStateException if the load was finished or abandoned, the database is closed,
   *     or the tree is not empty (it was written to or dropped meanwhile: the load is abandoned);
   *     or, retryable, a {@link Snapshot} or {@link Transaction} is open — it would see the load:
   *     nothing is applied, the load is kept, and {@code finish} may be called again once they
   *     are closed (or {@code close} to abandon it)
   * @throws StorageException if a write or the checkpoint failed (the database fails: after it
   *     reopens, the tree is empty or holds the whole load)
   */
  long finish();

  /** Abandons the load unless {@link #finish} returned: nothing is applied. Idempotent. */
  @Override
  void close();
}
