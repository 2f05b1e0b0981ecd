package dev.sapwood.internal.engine;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue of one tree's single-change writers in front of its root latch: a writer takes it
 * before it latches the root and lets it go right after the root, so at most one single-change
 * writer waits on the root latch at a time and the rest wait here.
 *
 * <p>Why: the node latch is fair (first in, first out, so a stream of readers cannot starve a
 * flush), which makes every writer queued on the root wait until the one ahead of it is woken and
 * scheduled, even while another writer is running on a free core: with more writers than cores
 * that became about one park and one wake-up per put (a lock convoy). This queue is not fair: a
 * running writer takes it as soon as it is free, before a parked one wakes, and a writer first
 * spins for about the length of one root insert before it parks. Readers, flushes and batches
 * still meet the writers at the root latch, fairly, as before.
 *
 * <p>Invariants: held only between a writer's {@code enter} and its {@code exit}, around its root
 * latch and nothing else that waits (a writer that must flush the gorged root does so after {@code
 * exit}); so no thread waits for it while holding anything but the database gate's shared side,
 * and it adds no cycle to the lock order. It orders nothing: log and MSN order still come from
 * the root latch and the {@link Sequencer}. Thread-safe.
 */
final class WriterQueue {
  /** Tries before parking; each try is a read of the lock word and a spin-wait hint. */
  static final int SPINS = 100;
  private final ReentrantLock lock = new ReentrantLock(false);

  /** Takes the queue: spins briefly while it is held, then waits (not interruptibly). */
  void enter() {
    for (int i = 0; i < SPINS; i++) {
      if (!lock.isLocked() && lock.tryLock()) {
        return;
      }
      Thread.onSpinWait();
    }
    lock.lock();
  }

  /** Lets the queue go. REQUIRES: the calling thread took it with {@link #enter}. */
  void exit() {
    lock.unlock();
  }

  /** Whether some thread holds it now; for tests. */
  boolean isHeld() {
    return lock.isLocked();
  }
}
