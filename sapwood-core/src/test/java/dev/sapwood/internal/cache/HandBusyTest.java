package dev.sapwood.internal.cache;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.CacheFakes.Obj;
import dev.sapwood.internal.cache.CacheFakes.ParkingBackend;
import dev.sapwood.internal.stats.Counters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What other threads do while a background run of the clock holds the hand, writing a dirty object
 * back: up to the back-pressure bound (a quarter over budget) they do not wait for it. (With two
 * flushers, one waited for the hand to park a node it had just flushed into, and a second queued
 * background run waited the whole first run to find the cache under budget: a tenth of the
 * flushers' time in a 5M overwrite.) Past the bound they do, then run the clock themselves.
 */
class HandBusyTest {
  private final Counters counters = new Counters();
  private final List<Runnable> queued = new ArrayList<>();
  private final CountDownLatch inWriteBack = new CountDownLatch(1);
  private final CountDownLatch letGo = new CountDownLatch(1);

  private volatile long blockedKey = -1;

  /**
   * Parks dirty objects, except for the background run, which writes them back instead and blocks
   * in its first write-back until let go.
   */
  private final ParkingBackend backend = new ParkingBackend() {
    @Override
    public boolean park(Obj o) {
      return !inBackground() && super.park(o);
    }

    @Override
    public void writeBack(Obj o) {
      if (inBackground() && blockedKey < 0) {
        blockedKey = o.key();
        inWriteBack.countDown();
        try {
          assertTrue(letGo.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      super.writeBack(o);
    }
  };

  private static boolean inBackground() {
    return Thread.currentThread().getName().equals("background");
  }

  private CacheTable<Obj> cache() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 1000, counters);
    cache.setBackground(task -> {
      synchronized (queued) {
        queued.add(task);
      }
      return true;
    });
    return cache;
  }

  /** Makes {@code key} dirty with the value {@code key + 1}. */
  private static void dirty(CacheTable<Obj> cache, long key) {
    CacheFakes.dirty(cache, key, key + 1);
  }

  private Runnable takeQueued() {
    synchronized (queued) {
      return queued.isEmpty() ? null : queued.remove(0);
    }
  }

  /** Fills the cache over budget with dirty objects and starts the background run, which blocks in its first write-back. */
  private Thread blockedBackgroundRun(CacheTable<Obj> cache) throws InterruptedException {
    for (long k = 0; k < 11; k++) {
      dirty(cache, k); // 1,100 bytes: over budget, under the back-pressure bound of 1,250
    }
    Runnable run = takeQueued();
    assertNotNull(run, "the release over budget queued a background run");
    Thread background = new Thread(run, "background");
    background.start();
    assertTrue(inWriteBack.await(30, TimeUnit.SECONDS), "the background run writes an object back");
    return background;
  }

  @Test
  void parkNowParksBesideABackgroundRunThatHoldsTheHand() throws Exception {
    CacheTable<Obj> cache = cache();
    Thread background = blockedBackgroundRun(cache);
    try {
      long key = blockedKey == 10 ? 9 : 10; // one the hand does not hold
      assertTrue(cache.isCached(key));
      assertTrue(cache.parkNow(key), "an idle dirty object is parked while the hand is busy");
      assertFalse(cache.isCached(key));
      assertTrue(backend.parked.containsKey(key));
    } finally {
      letGo.countDown();
      background.join(30_000);
    }
    assertEquals(0, backend.violations.get());
    long key = blockedKey == 10 ? 9 : 10;
    Obj back = cache.pinRead(key);
    assertEquals(key + 1, back.value, "the parked object comes back as it was");
    cache.unpinRead(back);
  }

  @Test
  void noSecondBackgroundRunIsQueuedWhileOneRuns() throws Exception {
    CacheTable<Obj> cache = cache();
    Thread background = blockedBackgroundRun(cache);
    try {
      dirty(cache, 100); // still over budget, under the back-pressure bound
      assertEquals(1200, cache.usedBytes());
      cache.unpinRead(cache.pinRead(100)); // more releases over budget
      cache.unpinRead(cache.pinRead(100));
      assertNull(takeQueued(), "a run in progress is not queued again: it runs until under budget");
    } finally {
      letGo.countDown();
      background.join(30_000);
    }
    assertFalse(background.isAlive());
    assertTrue(cache.usedBytes() <= 1000, "the run got under budget: " + cache.usedBytes());
    Runnable next = null;
    for (long k = 200; k < 220 && next == null; k++) {
      dirty(cache, k);
      next = takeQueued();
    }
    assertNotNull(next, "once the run ended, a release over budget queues the next one");
    assertEquals(0, backend.violations.get());
  }

  @Test
  void pastTheBackPressureBoundAReleaseWaitsForTheHandThenGetsUnderBudget() throws Exception {
    CacheTable<Obj> cache = cache();
    Thread background = blockedBackgroundRun(cache); // 1,100 bytes; the run holds the hand
    java.util.concurrent.atomic.AtomicBoolean filled = new java.util.concurrent.atomic.AtomicBoolean();
    Thread filler = new Thread(() -> {
      for (long k = 300; k < 303; k++) {
        dirty(cache, k); // the second makes 1,300 bytes: past the bound of 1,250
      }
      filled.set(true);
    }, "filler");
    try {
      filler.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (filler.getState() != Thread.State.WAITING && filler.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertFalse(filled.get(), "a release past the bound went on filling the cache while another run held the hand");
      assertEquals(Thread.State.WAITING, filler.getState(), "the filler waits for the hand");
    } finally {
      letGo.countDown();
      background.join(30_000);
      filler.join(30_000);
    }
    assertTrue(filled.get());
    assertTrue(cache.usedBytes() <= 1000, "the waiting thread's own run got under budget: " + cache.usedBytes());
    assertEquals(0, backend.violations.get());
  }
}
