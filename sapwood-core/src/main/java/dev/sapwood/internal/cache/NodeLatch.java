package dev.sapwood.internal.cache;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * The read/write latch of a cached object ({@link Cacheable}): what the tree's latch coupling
 * needs and no more. Unlike {@link java.util.concurrent.locks.ReentrantReadWriteLock} it keeps no
 * per-thread read-hold count (that lock looks one up in a {@code ThreadLocal} of its own on every
 * read acquire and release, and every latch a thread ever read-held leaves an entry in the
 * thread's {@code ThreadLocal} map), so a read acquire is one compare-and-set when no one waits.
 *
 * <p>Not reentrant: a thread never takes a latch it holds (the cache's pin protocol pins each
 * object once per operation; {@link CacheTable} asserts it). A thread that tries to write-latch
 * an object it write-latches gets an {@link IllegalStateException} rather than a deadlock; a
 * read re-acquire is not detected here.
 *
 * <p>Invariants: the state is the number of read holders (0 or more), or {@code -1} while one
 * thread holds the write latch, and then the owner field names that thread (for {@link
 * #isWriteLockedByCurrentThread}); readers and a writer never hold it together. Fairness: every
 * acquire, blocking or not, queues behind (or fails, for the {@code try} forms) any thread already
 * waiting (first in, first out), so once a writer waits, no reader that arrives later gets in
 * before it: a stream of readers cannot starve a flush; readers queued together are let in
 * together once the writer before them leaves.
 */
final class NodeLatch extends AbstractQueuedSynchronizer {
  private static final long serialVersionUID = 1L;
  private static final int WRITE = -1;

  /** Takes the read latch, waiting as long as it takes (not interruptibly). */
  void readLock() {
    acquireShared(1);
  }

  /** Takes the read latch if no writer holds it and no one waits for it; whether it was taken. */
  boolean tryReadLock() {
    return tryAcquireShared(1) >= 0;
  }

  /** Takes the read latch, waiting at most {@code nanos}; whether it was taken. */
  boolean tryReadLock(long nanos) throws InterruptedException {
    return tryAcquireSharedNanos(1, nanos);
  }

  void readUnlock() {
    releaseShared(1);
  }

  /**
   * Takes the write latch, waiting as long as it takes (not interruptibly).
   *
   * @throws IllegalStateException if the calling thread holds it already
   */
  void writeLock() {
    if (getExclusiveOwnerThread() == Thread.currentThread()) {
      throw new IllegalStateException("latch already write-held by this thread (not reentrant)");
    }
    acquire(1);
  }

  /** Takes the write latch if no one holds it and no one waits for it; whether it was taken. */
  boolean tryWriteLock() {
    return tryAcquire(1);
  }

  void writeUnlock() {
    release(1);
  }

  boolean isWriteLockedByCurrentThread() {
    return getExclusiveOwnerThread() == Thread.currentThread();
  }

  /** Threads holding the read latch now (0 while write-held); for tests and assertions. */
  int readers() {
    return Math.max(getState(), 0);
  }

  /** Whether some thread holds the write latch now. */
  boolean isWriteLocked() {
    return getState() == WRITE;
  }

  @Override
  protected int tryAcquireShared(int unused) {
    for (;;) {
      int s = getState();
      if (s == WRITE || hasQueuedPredecessors()) {
        return -1;
      }
      if (compareAndSetState(s, s + 1)) {
        return 1;
      }
    }
  }

  @Override
  protected boolean tryReleaseShared(int unused) {
    for (;;) {
      int s = getState();
      if (s <= 0) {
        throw new IllegalMonitorStateException("read unlock of a latch not read-held");
      }
      if (compareAndSetState(s, s - 1)) {
        return s == 1; // the last reader left: a waiting writer may go
      }
    }
  }

  @Override
  protected boolean tryAcquire(int unused) {
    if (getState() == 0 && !hasQueuedPredecessors() && compareAndSetState(0, WRITE)) {
      setExclusiveOwnerThread(Thread.currentThread());
      return true;
    }
    return false;
  }

  @Override
  protected boolean tryRelease(int unused) {
    if (getState() != WRITE || getExclusiveOwnerThread() != Thread.currentThread()) {
      throw new IllegalMonitorStateException("write unlock by a thread not holding the latch");
    }
    setExclusiveOwnerThread(null);
    setState(0);
    return true;
  }

  @Override
  protected boolean isHeldExclusively() {
    return getExclusiveOwnerThread() == Thread.currentThread();
  }
}
