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
 * <p>Fairness: a blocking {@link #writeLock} first takes the latch if no one holds it, even past
 * waiting threads, but only {@link #MAX_PASSES} times in a row: then it queues, and a thread that
 * waited gets the latch before it. Once queued a writer waits its turn, first in, first out.
 * {@link #tryWriteLock} never passes a waiting thread. A reader queues behind waiting threads only
 * while a writer waits: once a writer waits, no reader that arrives later gets in before it (a
 * stream of readers cannot starve a flush), and readers queued together are let in together once
 * the writer before them leaves. Why, measured with more client threads than cores
 * (docs/benchmarks.md, "YCSB at 4 threads: the latch's convoys"): a fully fair latch hands a
 * released latch to the thread first in line, which is often not running, so the latch stays idle
 * until it is scheduled; every writer's release became a convoy of readers woken one at a time,
 * each new reader parking behind the ones not yet scheduled, and writers queued behind descheduled
 * writers. Writers passing without a bound (the JDK's non-fair {@code ReentrantReadWriteLock}
 * policy) ended the writers' convoy but let one writer putting again and again keep the readers
 * its releases woke out (readers beside one writer at half the rate); the bound keeps both.
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

  /** How many times in a row writers may take the free latch past waiting threads. */
  static final int MAX_PASSES = 3;

  /**
   * Writers that took the free latch past waiting threads since a thread that had waited last got
   * it. Raised by the writer that just took the latch, zeroed by a thread that got it after
   * waiting, read racily by {@link #bargeWrite}: a heuristic, a stale value only decides whether
   * one writer queues; the latch's exclusion never depends on it.
   */
  int passes;

  /** Writers waiting in {@link #writeLock}; changed only through {@link #WAITING_WRITERS}. */
  private volatile int waitingWriters;

  /** Takes the read latch, waiting as long as it takes (not interruptibly). */
  void readLock() {
    if (tryAcquireShared(1) < 0) {
      acquireShared(1);
      passes = 0;
    }
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
    if (tryAcquireShared(1) >= 0) {
      return true;
    }
    boolean got = tryAcquireSharedNanos(1, nanos);
    if (got) {
      passes = 0; // it waited, as readLock's slow path
    }
    return got;
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
    if (!bargeWrite()) {
      WAITING_WRITERS.getAndAdd(this, 1);
      try {
        acquire(1);
        passes = 0;
      } finally {
        WAITING_WRITERS.getAndAdd(this, -1);
      }
    }
  }

  /**
   * The blocking form's first try: takes the write latch if no one holds it, even past waiting
   * threads unless writers already did so {@link #MAX_PASSES} times in a row (then the waiting
   * go first: one writer putting again and again cannot keep out the readers its releases woke).
   */
  private boolean bargeWrite() {
    if (getState() != 0) {
      return false;
    }
    boolean passing = hasQueuedThreads();
    if (passing && passes >= MAX_PASSES) {
      return false;
    }
    if (compareAndSetState(0, WRITE)) {
      setExclusiveOwnerThread(Thread.currentThread());
      if (passing) {
        passes++;
      }
      return true;
    }
    return false;
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
