package dev.sapwood.internal.engine;

import dev.sapwood.ConflictException;
import dev.sapwood.Durability;
import dev.sapwood.Isolation;
import dev.sapwood.Options;
import dev.sapwood.Transaction;
import dev.sapwood.internal.tree.TreeContext;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Snapshots and transactions: a snapshot at the visible MSN, a transaction's begin, commit
 * (through the {@link WritePath}) and validation, and {@code Database.transact}: begin, run the
 * body, commit; on a {@link ConflictException} run it again after a backoff (the first {@link
 * Options#transactionBackoff}, then up to twice the one before, each a random time up to its bound
 * so colliding writers spread out), at most {@link Options#transactionRetries} times, then throw
 * the last conflict. Any other exception from the body rolls the transaction back and propagates
 * at once. Thread-safe.
 */
final class Transactor {
  private final DatabaseImpl db;
  private final WritePath writes;
  private final TreeContext ctx;
  private final Durability defaultDurability;
  private final int retries;
  private final long firstBackoffNanos;
  private final TxnStats stats;
  private final Conflicts conflicts;
  private final long maxTransactionBytes;

  Transactor(DatabaseImpl db, WritePath writes, TreeContext ctx, Options options, TxnStats stats,
      Conflicts conflicts) {
    this.db = db;
    this.writes = writes;
    this.ctx = ctx;
    this.defaultDurability = options.durability();
    this.conflicts = conflicts;
    this.maxTransactionBytes = options.maxTransactionBytes();
    this.retries = options.transactionRetries();
    this.firstBackoffNanos = options.transactionBackoff().toNanos();
    this.stats = stats;
  }

  /** A registered snapshot at the visible MSN ({@link dev.sapwood.Database#snapshot}, and a transaction's). */
  SnapshotImpl openSnapshot() {
    // At the visible MSN: every change at or below it is wholly in the trees. Outside the gate,
    // so it never waits for a writer: a batch too large for its roots, flushed into leaves under
    // the exclusive side before its MSNs are visible, holds the MSN before it as a live snapshot
    // meanwhile (Sequencer.sequenceExclusive), so the values it overwrites are kept for this one.
    db.checkOpen();
    return new SnapshotImpl(db, ctx.snapshots.open(writes::visibleMsn));
  }

  /** The durability of a commit that names none. */
  Durability defaultDurability() {
    return defaultDurability;
  }

  /** Changes noted for live transactions: what a commit's validation checks. */
  Conflicts conflicts() {
    return conflicts;
  }

  /** A transaction's commit ({@link WritePath#commit}). */
  void commit(List<WritePath.Op> ops, Durability d, Runnable validate) {
    writes.commit(ops, d, validate);
  }

  /** Runs a read-only transaction's validation where no change is being made. */
  void validateAlone(Runnable validate) {
    writes.validate(validate);
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
      snap = openSnapshot();
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
    return new TransactionImpl(db, this, isolation, snap, maxTransactionBytes, stats);
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
