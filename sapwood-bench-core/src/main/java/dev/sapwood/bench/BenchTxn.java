package dev.sapwood.bench;

/**
 * One transaction of an engine, for the transactional workloads (txntransfer, txnupdate). It works
 * on the counter keyspace ({@link BenchEngine#add}), whose values are 64-bit numbers in the
 * engine's own counter encoding: {@link #getLong} and {@link #putLong} read and write whole
 * numbers (the accounts of txntransfer), {@link #add} adds to one without reading it (the counters
 * of txnupdate, by the engine's blind update or merge where it has one).
 *
 * <p>Isolation: reads see a snapshot taken when the transaction began plus its own writes; commit
 * fails if a key it wrote was changed by another after that snapshot (first committer wins), or,
 * for a locking engine, if a lock could not be had. Any method may throw {@link BenchConflict};
 * the transaction is then finished and nothing of it applied. Used by one thread.
 */
public interface BenchTxn extends AutoCloseable {
  /** The number at {@code key} in the counter keyspace, 0 if absent. */
  long getLong(byte[] key);

  /** Sets the number at {@code key} in the counter keyspace. */
  void putLong(byte[] key, long value);

  /** Adds {@code delta} to the number at {@code key} at commit, without reading it. */
  void add(byte[] key, long delta);

  /** Commits; throws {@link BenchConflict} if the engine refused it (nothing applied). */
  void commit();

  /** Rolls back unless committed; idempotent. */
  @Override
  void close();
}
