package dev.sapwood.internal.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * #isWriteLockedByCurrentThread}); readers and a writer never hold it together; {@code
 * waitingWriters} counts the threads inside a blocking {@link #writeLock} that found the latch
 * taken (it is above zero from before such a writer queues until after it holds the latch).
 *
 * <p>Fairness: a writer queues behind (or fails, for {@link #tryWriteLock}) any thread already
 * waiting, first in, first out. A reader queues behind waiting threads only while a writer waits:
 * once a writer waits, no reader that arrives later gets in before it (a stream of readers cannot
 * starve a flush), and readers queued together are let in together once the writer before them
 * leaves. While only readers wait (the ones a writer's release is still waking one by one), an
 * arriving reader joins the holders at once instead of parking behind them: with more reader
 * threads than cores a fully fair latch turned every writer's release into a convoy of readers
 * woken one at a time, each new reader parking behind the ones not yet scheduled
 * (docs/benchmarks.md, "YCSB B at 4 threads: the readers' convoy").
 */
final class NodeLatch extends AbstractQueuedSynchronizer {
  private static final long serialVersionUID = 1L;
  private static final int WRITE = -1;
  private static final VarHandle WAITING_WRITERS;

  static {
    try {
      WAITING_WRITERS = MethodHandles.lookup().findVarHandle(NodeLatch.class, "waitingWriters", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Writers waiting in {@link #writeLock}; changed only through {@link #WAITING_WRITERS}. */
  private volatile int waitingWriters;

  /** Takes the read latch, waiting as long as it takes (not interruptibly). */
  void readLock() {
    acquireShared(1);
  }

  /**
   * Takes the read latch if no writer holds it and none waits for it (readers waiting do not
   * stop it); whether it was taken.
   */
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
    if (!tryAcquire(1)) {
      WAITING_WRITERS.getAndAdd(this, 1);
      try {
        acquire(1);
      } finally {
        WAITING_WRITERS.getAndAdd(this, -1);
      }
    }
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
      if (s == WRITE || (waitingWriters != 0 && hasQueuedPredecessors())) {
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
