package dev.sapwood.bench.peers;

import dev.sapwood.bench.BenchConflict;
import dev.sapwood.bench.BenchTxn;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.OptimisticTransactionDB;
import org.rocksdb.OptimisticTransactionOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.Transaction;
import org.rocksdb.TransactionDB;
import org.rocksdb.TransactionOptions;
import org.rocksdb.WriteOptions;

/**
 * RocksDB's transactions for the transactional workloads, on the counter column family (8-byte
 * little-endian numbers, as its uint64add merge operator reads them).
 *
 * <ul>
 *   <li>Optimistic ({@link OptimisticTransactionDB}): {@code set_snapshot}; reads are plain
 *       {@code Transaction.get} at the snapshot, writes are tracked and validated at commit
 *       against the snapshot (first committer wins), as Sapwood's SNAPSHOT isolation does.</li>
 *   <li>Pessimistic ({@link TransactionDB}): {@code set_snapshot}; reads are {@code
 *       getForUpdate} (exclusive lock, validated against the snapshot), writes lock; the workloads
 *       take keys in ascending order, so locks never deadlock; a lock timeout (RocksDB's default
 *       1 s) or a failed validation counts as a conflict.</li>
 * </ul>
 * txnupdate's counter updates are {@code Transaction.merge} with uint64add (RocksJava's
 * Transaction supports merge): no read, but RocksDB tracks (optimistic) or locks (pessimistic)
 * the merged key like any write. Each thread reuses one {@link Transaction} object (RocksJava's
 * {@code beginTransaction(..., old)}) and one {@link ReadOptions}, as a tuned application would.
 */
final class RocksTxns implements AutoCloseable {
  private final OptimisticTransactionDB optimistic;
  private final TransactionDB pessimistic;
  private final ColumnFamilyHandle counters;
  private final WriteOptions writeOptions;
  private final OptimisticTransactionOptions optimisticOptions;
  private final TransactionOptions pessimisticOptions;
  private final ConcurrentLinkedQueue<PerThread> all = new ConcurrentLinkedQueue<>();
  private final ThreadLocal<PerThread> local = ThreadLocal.withInitial(() -> {
    PerThread p = new PerThread();
    all.add(p);
    return p;
  });

  /** One thread's reused transaction and read options. */
  private static final class PerThread {
    Transaction tx;
    final ReadOptions read = new ReadOptions();
  }

  /** Exactly one of {@code optimistic} and {@code pessimistic} is non-null. */
  RocksTxns(OptimisticTransactionDB optimistic, TransactionDB pessimistic,
      ColumnFamilyHandle counters, WriteOptions writeOptions) {
    this.optimistic = optimistic;
    this.pessimistic = pessimistic;
    this.counters = counters;
    this.writeOptions = writeOptions;
    this.optimisticOptions = optimistic == null ? null : new OptimisticTransactionOptions().setSetSnapshot(true);
    this.pessimisticOptions = pessimistic == null ? null : new TransactionOptions().setSetSnapshot(true);
  }

  String method() {
    return optimistic != null
        ? "OptimisticTransactionDB, set_snapshot: get+put, merge uint64add in the transaction"
        : "TransactionDB, set_snapshot: getForUpdate+put, merge uint64add in the transaction (locks)";
  }

  BenchTxn begin() {
    PerThread p = local.get();
    if (p.tx == null) {
      p.tx = optimistic != null ? optimistic.beginTransaction(writeOptions, optimisticOptions)
          : pessimistic.beginTransaction(writeOptions, pessimisticOptions);
    } else {
      p.tx = optimistic != null ? optimistic.beginTransaction(writeOptions, optimisticOptions, p.tx)
          : pessimistic.beginTransaction(writeOptions, pessimisticOptions, p.tx);
    }
    p.read.setSnapshot(p.tx.getSnapshot());
    Transaction tx = p.tx;
    return new BenchTxn() {
      private boolean done;

      @Override
      public long getLong(byte[] key) {
        try {
          byte[] v = pessimistic != null ? tx.getForUpdate(p.read, counters, key, true)
              : tx.get(counters, p.read, key);
          return v == null ? 0 : RocksDbEngine.fromLittleEndian(v);
        } catch (RocksDBException e) {
          throw failure(e);
        }
      }

      @Override
      public void putLong(byte[] key, long value) {
        try {
          tx.put(counters, key, RocksDbEngine.littleEndian(value));
        } catch (RocksDBException e) {
          throw failure(e);
        }
      }

      @Override
      public void add(byte[] key, long delta) {
        try {
          tx.merge(counters, key, RocksDbEngine.littleEndian(delta));
        } catch (RocksDBException e) {
          throw failure(e);
        }
      }

      @Override
      public void commit() {
        try {
          tx.commit();
          done = true;
        } catch (RocksDBException e) {
          throw failure(e);
        }
      }

      @Override
      public void close() {
        if (done) {
          return;
        }
        done = true;
        try {
          tx.rollback();
        } catch (RocksDBException e) {
          throw new IllegalStateException("RocksDB rollback", e);
        }
      }
    };
  }

  /** A conflict (busy, timed out, try again) as {@link BenchConflict}; anything else is a failure. */
  private static RuntimeException failure(RocksDBException e) {
    Status s = e.getStatus();
    if (s != null) {
      switch (s.getCode()) {
        case Busy, TimedOut, TryAgain, Aborted, Expired -> {
          return new BenchConflict(String.valueOf(e.getMessage()));
        }
        default -> {
          // not a conflict: below
        }
      }
    }
    return new IllegalStateException("RocksDB transaction", e);
  }

  @Override
  public void close() {
    for (PerThread p : all) {
      if (p.tx != null) {
        p.tx.close();
      }
      p.read.close();
    }
    all.clear();
    if (optimisticOptions != null) {
      optimisticOptions.close();
    }
    if (pessimisticOptions != null) {
      pessimisticOptions.close();
    }
  }
}
