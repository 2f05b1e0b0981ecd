package dev.sapwood.internal.engine;

import dev.sapwood.ConflictException;
import dev.sapwood.Isolation;
import dev.sapwood.Options;
import dev.sapwood.Transaction;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * {@code Database.transact}: begin, run the body, commit; on a {@link ConflictException} run it
 * again after a backoff (the first {@link Options#transactionBackoff}, then up to twice the one
 * before, each a random time up to its bound so colliding writers spread out), at most {@link
 * Options#transactionRetries} times, then throw the last conflict. Any other exception from the
 * body rolls the transaction back and propagates at once. Thread-safe.
 */
final class Transactor {
  private final DatabaseImpl db;
  private final int retries;
  private final long firstBackoffNanos;
  private final TxnStats stats;
  private final Conflicts conflicts;
  private final long maxTransactionBytes;

  Transactor(DatabaseImpl db, Options options, TxnStats stats, Conflicts conflicts) {
    this.db = db;
    this.conflicts = conflicts;
    this.maxTransactionBytes = options.maxTransactionBytes();
    this.retries = options.transactionRetries();
    this.firstBackoffNanos = options.transactionBackoff().toNanos();
    this.stats = stats;
  }

  /** Begins a transaction ({@link dev.sapwood.Database#begin(Isolation)}). */
  Transaction begin(Isolation isolation) {
    java.util.Objects.requireNonNull(isolation, "isolation");
    db.checkOpen();
    boolean serializable = isolation == Isolation.SERIALIZABLE;
    conflicts.transactionBegins(); // before the snapshot, so later changes are noted: see Conflicts
    if (serializable) {
      conflicts.serializableBegins(); // before the snapshot: see Conflicts
    }
    SnapshotImpl snap;
    try {
      snap = db.openSnapshot();
    } catch (RuntimeException e) {
      if (serializable) {
        conflicts.serializableEnds(0L);
      }
      conflicts.transactionEnds();
      throw e;
    }
    if (serializable) {
      conflicts.serializableSnapshot(snap.msn());
    }
    stats.began();
    return new TransactionImpl(db, isolation, snap, maxTransactionBytes, stats);
  }

  <T> T run(Isolation isolation, Function<Transaction, T> body) {
    long bound = firstBackoffNanos;
    for (int attempt = 0; ; attempt++) {
      try (Transaction tx = db.begin(isolation)) {
        T result = body.apply(tx);
        if (isActive(tx)) {
          tx.commit();
        }
        return result;
      } catch (ConflictException e) {
        if (attempt >= retries) {
          throw e;
        }
        stats.retried();
        if (!backoff(bound)) {
          throw e;
        }
        bound = Math.min(bound * 2, 100_000_000L);
      }
    }
  }

  private static boolean isActive(Transaction tx) {
    return !((TransactionImpl) tx).isDone();
  }

  /** Sleeps a random time up to {@code bound}; false if interrupted (the flag is kept). */
  private static boolean backoff(long bound) {
    if (bound <= 0) {
      Thread.yield();
      return true;
    }
    long nanos = ThreadLocalRandom.current().nextLong(bound + 1);
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      return true;
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
