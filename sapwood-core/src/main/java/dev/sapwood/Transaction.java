package dev.sapwood;

/**
 * A transaction ({@link Database#begin()}): reads one consistent snapshot of every tree plus its
 * own writes, keeps its writes in memory, and at {@link #commit()} applies them all at once or
 * not at all. Optimistic: nothing is locked while it runs; commit checks for conflicts with what
 * committed after its snapshot (see {@link Isolation}) and throws {@link ConflictException} if
 * there is one.
 *
 * <p>A committed transaction is atomic for readers, snapshots, checkpoints and crashes: after a
 * crash it is either wholly present or wholly absent (wholly present once {@code commit} returned
 * with {@link Durability#SYNC}). Blind {@link #update updates} never conflict: they are applied
 * at commit, in commit order, to whatever value the key has then.
 *
 * <p>Not thread-safe: one thread at a time. Once committed, rolled back or closed, every method
 * but {@link #close()} throws {@link IllegalStateException}; so does using it after its database
 * closed. A failed commit (other than a conflict) leaves the transaction finished and nothing of it
 * applied unless the database's log accepted it (the database then fails, see {@link
 * StorageException}).
 */
public interface Transaction extends AutoCloseable {
  /** Its isolation level. */
  Isolation isolation();

  /**
   * The value of {@code key} in {@code tree}: the snapshot's, with this transaction's own writes
   * to it applied (an update's function applied to the value it would see); null if absent.
   * Under {@link Isolation#SERIALIZABLE} the key joins the read set checked at commit.
   */
  byte[] get(Tree tree, byte[] key);

  /**
   * A cursor over {@code tree} as this transaction sees it (its snapshot with its own writes merged
   * in, as they are when the cursor moves). Under {@link Isolation#SERIALIZABLE} every range it
   * steps over joins the scanned ranges checked at commit. One thread at a time; close it when done.
   */
  Cursor cursor(Tree tree);

  /**
   * Puts {@code value} at {@code key} when the transaction commits.
   *
   * @throws IllegalArgumentException if key or value is too long, or the write set would pass
   *     {@link Options#maxTransactionBytes}
   */
  void put(Tree tree, byte[] key, byte[] value);

  /** Deletes {@code key} when the transaction commits; as {@link #put} for errors. */
  void delete(Tree tree, byte[] key);

  /**
   * Deletes every key in [{@code fromInclusive}, {@code toExclusive}) when the transaction
   * commits (an empty or inverted range deletes nothing). Blind: it conflicts with nothing.
   */
  void deleteRange(Tree tree, byte[] fromInclusive, byte[] toExclusive);

  /**
   * Applies {@code fn} to the value of {@code key} at commit, in commit order (blind: it reads
   * nothing now and never conflicts). A later {@link #get} in this transaction sees the function
   * applied to the value it would otherwise see.
   *
   * @throws IllegalArgumentException if {@code fn} is not registered or refuses the argument, or
   *     as {@link #put}
   */
  void update(Tree tree, byte[] key, UpdateFunction fn, byte[] argument);

  /** Commits with the database's default durability ({@link Options#durability}). */
  void commit();

  /**
   * Validates and, if nothing conflicts, applies every write of this transaction at once as one
   * log record, waiting for {@code durability}. A transaction that wrote nothing commits without
   * logging (under SERIALIZABLE its reads are still validated).
   *
   * @throws ConflictException if it must abort; nothing of it is applied and it is finished
   * @throws SyncInterruptedException if interrupted while waiting for a SYNC commit; the commit is
   *     applied then, only its durability is not confirmed
   */
  void commit(Durability durability);

  /** Discards every write of this transaction and finishes it. */
  void rollback();

  /** Rolls back if neither committed nor rolled back; idempotent. */
  @Override
  void close();
}
