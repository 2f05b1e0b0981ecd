package dev.sapwood.internal.wal;

import dev.sapwood.SyncInterruptedException;

/**
 * The {@link LogWriter}'s sync protocol (group commit): concurrent callers waiting for an LSN to be
 * durable share fsyncs. One of them, the leader, runs the writer's leader action (write everything
 * buffered so far, fsync it holding no lock, {@link #advance} the durable LSN); the others wait for
 * it, and lead the next round themselves if their LSN is still not durable.
 *
 * <p>Invariants: at most one leader at a time; {@code durableLsn} never decreases and is at most
 * the LSN of the last frame written; a waiter whose LSN is durable returns without leading; an
 * interrupted waiter is not a failure. Locking: {@code syncLock} guards the leader handoff ({@code
 * syncing}) and each raise of {@code durableLsn} (volatile, read without it); it is taken after the
 * writer's {@code fileLock} and append-buffer lock, never before, and the leader does its fsync
 * holding none of them.
 */
final class GroupSync {
  private final LogFailure failure;
  private final Runnable leader;

  private final Object syncLock = new Object();
  private boolean syncing; // guarded by syncLock
  private volatile long durableLsn;

  /**
   * @param durableLsn the highest LSN already durable
   * @param leader what a leader does: makes everything buffered so far durable and raises the
   *     durable LSN by {@link #advance}, or throws the log's failure
   */
  GroupSync(long durableLsn, LogFailure failure, Runnable leader) {
    this.durableLsn = durableLsn;
    this.failure = failure;
    this.leader = leader;
  }

  /** The highest LSN known to be durable. */
  long durableLsn() {
    return durableLsn;
  }

  /** Records every LSN up to {@code lsn} durable (a lower {@code lsn} changes nothing). */
  void advance(long lsn) {
    synchronized (syncLock) {
      if (lsn > durableLsn) {
        durableLsn = lsn;
      }
    }
  }

  /**
   * Leads or waits for syncs until {@code lsn} is durable. An interrupt while waiting is kept as the
   * thread's flag; it ends the wait only if {@code interruptible}.
   *
   * @throws SyncInterruptedException if {@code interruptible} and interrupted while waiting
   */
  void await(long lsn, boolean interruptible) {
    boolean interrupted = false;
    try {
      while (durableLsn < lsn) {
        synchronized (syncLock) {
          while (syncing && durableLsn < lsn) {
            try {
              syncLock.wait();
            } catch (InterruptedException e) {
              interrupted = true;
              if (interruptible) {
                throw interrupted(lsn, e);
              }
            }
          }
          if (durableLsn >= lsn) {
            break;
          }
          failure.check();
          syncing = true;
        }
        try {
          leader.run();
        } finally {
          synchronized (syncLock) {
            syncing = false;
            syncLock.notifyAll();
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static SyncInterruptedException interrupted(long lsn, InterruptedException e) {
    return new SyncInterruptedException("interrupted while waiting for the log to be durable up to LSN "
        + lsn + ": the write is applied and logged, and may or may not be durable yet", e);
  }
}
