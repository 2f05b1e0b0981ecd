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

  Transactor(DatabaseImpl db, Options options, TxnStats stats) {
    this.db = db;
    this.retries = options.transactionRetries();
    this.firstBackoffNanos = options.transactionBackoff().toNanos();
    this.stats = stats;
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
