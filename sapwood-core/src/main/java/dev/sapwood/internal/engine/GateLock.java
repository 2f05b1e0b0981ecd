package dev.sapwood.internal.engine;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * The {@link DatabaseGate}'s shared/exclusive lock: a count of the operations inside the shared
 * side and an exclusive bit in one atomic int, with no per-thread state.
 *
 * <p>Why not {@link java.util.concurrent.locks.ReentrantReadWriteLock}: it keeps a read-hold count
 * per thread, dropped at a thread's last release and made anew at its next first hold whenever
 * another thread (a flusher) holds the shared side in between — so a single put allocated a
 * {@code ThreadLocal} entry and probed a map full of removed ones (docs/design.md, "The gate
 * without per-thread hold counts"). Here entering and leaving the shared side is one CAS each and
 * allocates nothing unless the thread must wait.
 *
 * <p>Contracts: any number of threads hold the shared side at once; the exclusive side is held by
 * one thread while no other holds either side, and waits for every shared holder to leave (so
 * {@code close} waits for the operations in flight). A waiting exclusive caller holds back
 * threads that come to the shared side after it (a checkpoint's begin is not starved by a stream
 * of puts). The exclusive holder may enter the exclusive side again and the shared side inside it.
 * Neither side is interruptible.
 *
 * <p>Invariants: a thread never enters the shared side while it already holds it (it would wait
 * behind a queued exclusive caller that waits for it); callers do not nest, and with assertions
 * enabled (the tests) every nested shared entry fails an assertion, found through a per-thread
 * depth kept only then. The shared count never goes below zero: every {@link #exitShared} pairs
 * with an {@link #enterShared} on the same thread.
 */
final class GateLock {
  /** The state's exclusive bit; the bits below it count the shared holders. */
  private static final int EXCLUSIVE = 1 << 30;

  /** Shared depth per thread, kept only for the assertion of no nesting (tests). */
  private static final ThreadLocal<int[]> SHARED_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  private final Sync sync = new Sync();
  private int exclusiveDepth; // touched only by the exclusive holder

  /** Enters the shared side, waiting while another thread holds or waits for the exclusive one. */
  void enterShared() {
    assert enteringShared();
    sync.acquireShared(1);
  }

  /** Leaves the shared side entered by this thread's {@link #enterShared}. */
  void exitShared() {
    sync.releaseShared(1);
    assert leftShared();
  }

  /** Enters the exclusive side, waiting until no other thread holds either side. */
  void enterExclusive() {
    if (sync.heldByMe()) {
      exclusiveDepth++;
      return;
    }
    sync.acquire(1);
    exclusiveDepth = 1;
  }

  /** Leaves the exclusive side, letting others in once this thread's outermost entry leaves. */
  void exitExclusive() {
    if (!sync.heldByMe()) {
      throw new IllegalMonitorStateException("the gate's exclusive side is not held by this thread");
    }
    if (--exclusiveDepth == 0) {
      sync.release(1);
    }
  }

  /** Threads inside the shared side now (the exclusive holder's own shared entries included). */
  int sharedHolders() {
    return sync.state() & (EXCLUSIVE - 1);
  }

  /** Whether some thread holds the exclusive side. */
  boolean exclusiveHeld() {
    return (sync.state() & EXCLUSIVE) != 0;
  }

  /** Whether some thread waits to enter either side. */
  boolean hasWaiters() {
    return sync.hasQueuedThreads();
  }

  private boolean enteringShared() {
    int[] depth = SHARED_DEPTH.get();
    assert depth[0] == 0 || sync.heldByMe() : "the gate's shared side entered again by a thread holding it";
    depth[0]++;
    return true;
  }

  private static boolean leftShared() {
    SHARED_DEPTH.get()[0]--;
    return true;
  }

  private static final class Sync extends AbstractQueuedSynchronizer {
    @Override
    protected int tryAcquireShared(int unused) {
      for (;;) {
        int s = getState();
        boolean blocked = (s & EXCLUSIVE) != 0 ? !heldByMe() : hasQueuedPredecessors();
        if (blocked) {
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
        if ((s & (EXCLUSIVE - 1)) == 0) {
          throw new IllegalMonitorStateException("the gate's shared side left more often than entered");
        }
        if (compareAndSetState(s, s - 1)) {
          return ((s - 1) & (EXCLUSIVE - 1)) == 0; // the last one out wakes a waiting exclusive caller
        }
      }
    }

    @Override
    protected boolean tryAcquire(int unused) {
      if (getState() == 0 && compareAndSetState(0, EXCLUSIVE)) {
        setExclusiveOwnerThread(Thread.currentThread());
        return true;
      }
      return false;
    }

    @Override
    protected boolean tryRelease(int unused) {
      setExclusiveOwnerThread(null);
      // No other thread changes the state while the exclusive bit is set: its shared entries stop
      // before their CAS, and the holder's own shared entries have all left by now.
      setState(getState() & ~EXCLUSIVE);
      return true;
    }

    @Override
    protected boolean isHeldExclusively() {
      return heldByMe();
    }

    boolean heldByMe() {
      return getExclusiveOwnerThread() == Thread.currentThread();
    }

    int state() {
      return getState();
    }
  }
}
