package dev.sapwood.internal.engine;

import dev.sapwood.ConflictException;
import dev.sapwood.internal.stats.Counters;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The transaction counters of one database: open transactions, commits, rollbacks (a failed
 * commit counts as one), conflicts by kind and {@code transact} retries. Thread-safe.
 */
final class TxnStats {
  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder commits;
  private final LongAdder rollbacks;
  private final LongAdder retries;
  private final LongAdder writeWrite;
  private final LongAdder readWrite;
  private final LongAdder range;

  TxnStats(Counters counters) {
    commits = counters.counter("txn.commits");
    rollbacks = counters.counter("txn.rollbacks");
    retries = counters.counter("txn.retries");
    writeWrite = counters.counter("txn.conflicts.write_write");
    readWrite = counters.counter("txn.conflicts.read_write");
    range = counters.counter("txn.conflicts.range");
  }

  void began() {
    open.incrementAndGet();
  }

  void finished(boolean committed) {
    open.decrementAndGet();
    (committed ? commits : rollbacks).increment();
  }

  void conflict(ConflictException.Kind kind) {
    switch (kind) {
      case WRITE_WRITE -> writeWrite.increment();
      case READ_WRITE -> readWrite.increment();
      case RANGE -> range.increment();
      default -> throw new IllegalStateException("conflict kind " + kind);
    }
  }

  void retried() {
    retries.increment();
  }

  int open() {
    return open.get();
  }
}
