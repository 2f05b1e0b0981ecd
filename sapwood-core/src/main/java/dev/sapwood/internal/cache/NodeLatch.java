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
 * <p>Fairness, the policy of the JDK's non-fair {@code ReentrantReadWriteLock} in its own terms:
 * a blocking {@link #writeLock} first takes the latch if no one holds it, whoever waits, and only
 * then queues; once queued it waits its turn, first in, first out. {@link #tryWriteLock} never
 * passes a waiting thread. A reader queues behind waiting threads only while a writer waits: once
 * a writer waits, no reader that arrives later gets in before it (a stream of readers cannot
 * starve a flush), and readers queued together are let in together once the writer before them
 * leaves. Why, measured with more client threads than cores (docs/benchmarks.md, "YCSB at 4
 * threads: the latch's convoys"): a fully fair latch hands a released latch to the thread first in
 * line, which is often not running, so the latch stays idle until it is scheduled; every writer's
 * release became a convoy of readers woken one at a time, each new reader parking behind the ones
 * not yet scheduled, and writers queued behind descheduled writers. What it costs: a reader
 * queued behind a writer can be passed by arriving writers while it is being woken, so under
 * heavy write contention a reader's tail latency grows (its p99 in YCSB A at 4 threads rose from
 * about 0.3 to about 2 ms while throughput rose 20–45%).
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
    if (!bargeWrite()) {
      WAITING_WRITERS.getAndAdd(this, 1);
      try {
        acquire(1);
      } finally {
        WAITING_WRITERS.getAndAdd(this, -1);
      }
    }
  }

  /** Takes the write latch if no one holds it, whoever waits (the blocking form's first try). */
  private boolean bargeWrite() {
    if (getState() == 0 && compareAndSetState(0, WRITE)) {
      setExclusiveOwnerThread(Thread.currentThread());
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
