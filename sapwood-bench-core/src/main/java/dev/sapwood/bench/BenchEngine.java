package dev.sapwood.bench;

/**
 * One engine under measurement, as the workloads see it. Keys and values are byte arrays; every
 * engine copies what it returns, so that no engine is charged for allocation another one skips.
 *
 * <p>Two keyspaces: the data keyspace ({@link #put}, {@link #get}, {@link #delete}, {@link
 * #cursor}) and a counter keyspace ({@link #add}, {@link #counter}) used by updaterandom, kept apart
 * so that 8-byte counters never meet the data values (a tree, a column family, a DBI or a map of
 * their own, per engine).
 *
 * <p>Thread-safe: workloads call it from several threads at once; cursors are per thread.
 */
public interface BenchEngine extends AutoCloseable {
  /** Short engine name ("sapwood", "rocksdb", ...). */
  String name();

  /** Library version, as printed with the results. */
  String version();

  /** The options the engine was opened with, as printed with the results. */
  String describe();

  /** How {@link #add} is done ("blind update ADD_LONG", "merge uint64add", "read-modify-write"). */
  String updateMethod();

  void put(byte[] key, byte[] value);

  /** The value, or null if absent. */
  byte[] get(byte[] key);

  void delete(byte[] key);

  /** Adds {@code delta} to the 64-bit counter at {@code key} (absent counts as 0). */
  void add(byte[] key, long delta);

  /** The counter at {@code key}, 0 if absent. */
  long counter(byte[] key);

  /** A new cursor over the data keyspace; one thread at a time. */
  BenchCursor cursor();

  /** Sorted entries into the empty data keyspace (fillbulk): add in ascending order, then finish. */
  interface SortedLoad {
    void add(byte[] key, byte[] value);

    /** Makes the load visible (and, where the engine's loader does, durable). */
    void finish();
  }

  /**
   * A bulk load of the empty data keyspace, used by one thread; engines without a bulk path put
   * each entry (the default).
   */
  default SortedLoad sortedLoad() {
    return new SortedLoad() {
      @Override
      public void add(byte[] key, byte[] value) {
        put(key, value);
      }

      @Override
      public void finish() {}
    };
  }

  /**
   * How this engine's transactions are done, as printed with the results, or null if it has none
   * (then txntransfer and txnupdate are skipped for it).
   */
  default String txnMethod() {
    return null;
  }

  /**
   * Begins a transaction (see {@link BenchTxn}); called by the thread that will use it.
   *
   * @throws UnsupportedOperationException if {@link #txnMethod()} is null
   */
  default BenchTxn begin() {
    throw new UnsupportedOperationException(name() + " has no transactions in this harness");
  }

  /**
   * A new snapshot of the data keyspace, or null if the engine has none here (then readsnapshot
   * and readsnapshotop are skipped for it).
   */
  default BenchSnapshot snapshot() {
    return null;
  }

  /**
   * Called after a write workload: make everything written reach the engine's files and let
   * background work the writes caused finish (checkpoint, memtable flush and pending compactions,
   * env sync, store commit), so write amplification counts all of it.
   */
  void settle();

  @Override
  void close();
}
