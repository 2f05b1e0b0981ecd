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
 * with {@link Durability#SYNC}). Blind writes — {@link #update}, {@link #deleteRange}, {@link
 * #updateRange}, {@link #updateAll} — never conflict: they are applied at commit, in commit order,
 * to whatever the keys hold then. A committed range write (a range delete or range update, by a
 * transaction, a batch or a plain write) counts as a change of every key in its range for the
 * conflicts of others.
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
   * A cursor over the keys of {@code range} in {@code tree} as this transaction sees them, bounded
   * as {@link Tree#cursor(KeyRange)} is (a reversed range walks from its largest key down). Under
   * {@link Isolation#SERIALIZABLE} every range it steps over joins the scanned ranges checked at
   * commit (a step may look one key past the range's end, so the range checked may be a little
   * larger than {@code range}). One thread at a time; close it when done.
   *
   * @throws IllegalArgumentException if {@code range} is null or the tree belongs to another
   *     database
   */
  Cursor cursor(Tree tree, KeyRange range);

  /**
   * The entries of {@code range} in {@code tree} as this transaction sees them, as {@link
   * Tree#scan(KeyRange)} gives them; each iteration walks its own {@link #cursor(Tree, KeyRange)}.
   * The transaction must stay active while the scan is used.
   */
  Scan scan(Tree tree, KeyRange range);

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

  /**
   * Applies {@code fn}, with {@code argument}, at commit to every key {@code k} of {@code tree}
   * with {@code fromInclusive <= k < toExclusive} that exists then, as {@link Tree#updateRange}
   * does: one message in the commit's log record, whatever the number of keys (an empty or
   * inverted range changes nothing). Keys that are absent stay absent; the function may return
   * null to delete a key; a result over the value limit, or an exception, leaves that key as it
   * was.
   *
   * <p>This transaction's own reads ({@link #get}, {@link #cursor}, {@link #scan}) see it at once,
   * in the order of its writes: applied to the snapshot's value as changed by this transaction's
   * earlier writes (a put of {@code k} then this update: the function applied to the put value),
   * and overwritten by its later ones (this update then a put of {@code k}: the put's value).
   *
   * <p>Blind, like {@link #update} and {@link #deleteRange}: it reads nothing now, is not checked
   * against what others changed in the range, and at commit applies, in commit order, to the
   * values the keys have then. Conversely, once committed it is a write to every key of the range
   * for other transactions: one that put or deleted such a key, or (under {@link
   * Isolation#SERIALIZABLE}) read it or scanned over it, after a snapshot taken before this commit
   * fails its own commit with a {@link ConflictException}.
   *
   * @throws IllegalArgumentException if a bound or the argument is null or over its {@link
   *     Limits}, {@code fn} is not registered or refuses the argument, or the write set would pass
   *     {@link Options#maxTransactionBytes}
   */
  void updateRange(Tree tree, byte[] fromInclusive, byte[] toExclusive, UpdateFunction fn, byte[] argument);

  /**
   * {@link #updateRange} over the whole key space of {@code tree}: {@code fn} applies at commit to
   * every key the tree holds then (as {@link Tree#updateAll}); this transaction's reads see it
   * applied at once. Blind, as {@link #updateRange}.
   *
   * @throws IllegalArgumentException as {@link #updateRange}
   */
  void updateAll(Tree tree, UpdateFunction fn, byte[] argument);

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
