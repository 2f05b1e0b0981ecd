package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The gate's lock ({@link GateLock}) keeps {@link DatabaseGate}'s contracts without per-thread
 * hold counts: the exclusive side waits for shared holders and excludes everyone, a waiting
 * exclusive caller holds back later shared ones, the exclusive holder may nest, close waits for
 * operations in flight, and a shared entry beside another thread's allocates nothing.
 */
class GateLockTest {
  @Test
  void exclusiveWaitsForSharedHoldersToLeave() throws Exception {
    GateLock lock = new GateLock();
    lock.enterShared();
    AtomicBoolean inside = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      lock.enterExclusive();
      inside.set(true);
      lock.exitExclusive();
    });
    writer.start();
    waitUntilQueued(lock);
    assertFalse(inside.get(), "the exclusive side entered while a shared holder was inside");
    assertFalse(lock.exclusiveHeld());
    lock.exitShared();
    writer.join();
    assertTrue(inside.get());
    assertEquals(0, lock.sharedHolders());
    assertFalse(lock.exclusiveHeld());
  }

  @Test
  void waitingExclusiveHoldsBackLaterSharedEntries() throws Exception {
    GateLock lock = new GateLock();
    lock.enterShared(); // an operation in flight
    AtomicInteger order = new AtomicInteger();
    AtomicInteger writerAt = new AtomicInteger(-1);
    AtomicInteger readerAt = new AtomicInteger(-1);
    Thread writer = new Thread(() -> {
      lock.enterExclusive();
      writerAt.set(order.getAndIncrement());
      lock.exitExclusive();
    });
    writer.start();
    waitUntilQueued(lock);
    Thread reader = new Thread(() -> {
      lock.enterShared();
      readerAt.set(order.getAndIncrement());
      lock.exitShared();
    });
    reader.start();
    while (reader.getState() != Thread.State.WAITING) {
      Thread.onSpinWait(); // the later reader parks behind the waiting writer
    }
    assertEquals(-1, readerAt.get(), "a shared entry passed a waiting exclusive caller");
    lock.exitShared();
    writer.join();
    reader.join();
    assertEquals(0, writerAt.get());
    assertEquals(1, readerAt.get());
  }

  @Test
  void exclusiveHolderMayNestBothSides() {
    GateLock lock = new GateLock();
    lock.enterExclusive();
    lock.enterExclusive();
    lock.enterShared();
    assertEquals(1, lock.sharedHolders());
    lock.exitShared();
    lock.exitExclusive();
    assertTrue(lock.exclusiveHeld(), "the outer exclusive entry still holds");
    lock.exitExclusive();
    assertFalse(lock.exclusiveHeld());
    assertThrows(IllegalMonitorStateException.class, lock::exitExclusive);
  }

  @Test
  void sharedEntryNestedOnOneThreadFailsItsAssertion() {
    boolean assertions = false;
    assert assertions = true;
    assumeTrue(assertions, "needs -ea");
    GateLock lock = new GateLock();
    lock.enterShared();
    try {
      assertThrows(AssertionError.class, lock::enterShared);
      assertEquals(1, lock.sharedHolders());
    } finally {
      lock.exitShared();
    }
  }

  @Test
  void closeWaitsForTheOperationInFlight() throws Exception {
    DatabaseGate gate = new DatabaseGate(null);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    AtomicBoolean releasedWhileInside = new AtomicBoolean();
    AtomicBoolean inside = new AtomicBoolean();
    Thread op = new Thread(() -> gate.read(() -> {
      inside.set(true);
      entered.countDown();
      await(finish);
      inside.set(false);
      return null;
    }));
    op.start();
    entered.await();
    Thread closer = new Thread(() -> gate.closeWith(() -> releasedWhileInside.set(inside.get())));
    closer.start();
    while (closer.getState() != Thread.State.WAITING) {
      Thread.onSpinWait();
    }
    assertFalse(gate.isClosed(), "closed while an operation was inside");
    finish.countDown();
    op.join();
    closer.join();
    assertTrue(gate.isClosed());
    assertFalse(releasedWhileInside.get(), "the files were released with an operation inside");
    assertThrows(IllegalStateException.class, () -> gate.read(() -> 1));
  }

  @Test
  void exclusiveExcludesEveryoneUnderRandomContention() throws Exception {
    long seed = System.nanoTime();
    System.out.println("GateLockTest seed " + seed);
    GateLock lock = new GateLock();
    AtomicInteger shared = new AtomicInteger();
    AtomicInteger exclusive = new AtomicInteger();
    AtomicReference<String> broken = new AtomicReference<>();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      Random rnd = new Random(seed + t);
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 20_000; i++) {
          if (rnd.nextInt(50) == 0) {
            lock.enterExclusive();
            if (exclusive.incrementAndGet() != 1 || shared.get() != 0) {
              broken.compareAndSet(null, "exclusive beside " + shared.get() + " shared, seed " + seed);
            }
            exclusive.decrementAndGet();
            lock.exitExclusive();
          } else {
            lock.enterShared();
            shared.incrementAndGet();
            if (exclusive.get() != 0) {
              broken.compareAndSet(null, "shared beside an exclusive holder, seed " + seed);
            }
            shared.decrementAndGet();
            lock.exitShared();
          }
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertNull(broken.get());
    assertEquals(0, lock.sharedHolders());
    assertFalse(lock.exclusiveHeld());
  }

  /** ReentrantReadWriteLock allocated a hold-count entry here on each entry (design.md). */
  @Test
  void sharedEntryBesideAnotherHolderAllocatesNothing() throws Exception {
    // com.sun.management.ThreadMXBean, found reflectively (the test sources compile inside the
    // module, which does not read jdk.management)
    Method allocatedBytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
    Object mx = ManagementFactory.getThreadMXBean();
    GateLock lock = new GateLock();
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Thread flusher = new Thread(() -> { // holds the shared side throughout, as a flush does
      lock.enterShared();
      held.countDown();
      await(done);
      lock.exitShared();
    });
    flusher.start();
    held.await();
    for (int i = 0; i < 20_000; i++) { // warm: the assertions' per-thread depth is made once
      lock.enterShared();
      lock.exitShared();
    }
    long tid = Thread.currentThread().getId();
    long before = (long) allocatedBytes.invoke(mx, tid);
    for (int i = 0; i < 200_000; i++) {
      lock.enterShared();
      lock.exitShared();
    }
    long allocated = (long) allocatedBytes.invoke(mx, tid) - before;
    done.countDown();
    flusher.join();
    assertTrue(allocated < 200_000, allocated + " bytes allocated by 200,000 shared entries");
  }

  private static void waitUntilQueued(GateLock lock) {
    while (!lock.hasWaiters()) {
      Thread.onSpinWait();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
