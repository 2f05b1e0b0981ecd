package dev.sapwood.internal.cache;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.CacheFakes.FakeBackend;
import dev.sapwood.internal.cache.CacheFakes.Obj;
import dev.sapwood.internal.stats.Counters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The eviction a thread runs when it releases a pin over budget while a background writer takes
 * the dirty objects: bounded, and never in the background writer's way. (A long fill between two
 * checkpoints fills the cache with dirty nodes; each release then swept the whole table three
 * times for nothing and kept the background writer from the hand: the fill ran at half speed
 * until the next checkpoint cleaned the cache.)
 */
class ForegroundEvictionTest {
  private final FakeBackend backend = new FakeBackend();
  private final Counters counters = new Counters();
  private final List<Runnable> queued = new ArrayList<>();

  private CacheTable<Obj> cacheWithQueuedBackground(long budget) {
    CacheTable<Obj> cache = new CacheTable<>(backend, budget, counters);
    cache.setBackground(task -> {
      synchronized (queued) {
        queued.add(task);
      }
      return true;
    });
    return cache;
  }

  private long visits() {
    return counters.snapshot().get("cache.clock_visits");
  }

  private static void dirty(CacheTable<Obj> cache, long key) {
    Obj o = cache.pinWrite(key);
    o.value = key + 1;
    o.dirty = true;
    cache.unpinWrite(o);
  }

  private void runQueued() {
    List<Runnable> tasks;
    synchronized (queued) {
      tasks = new ArrayList<>(queued);
      queued.clear();
    }
    tasks.forEach(Runnable::run);
  }

  @Test
  void releasesInACacheFullOfDirtyObjectsVisitFewObjectsAndLeaveThemToTheBackground() {
    CacheTable<Obj> cache = cacheWithQueuedBackground(10_000);
    for (long k = 0; k < 115; k++) {
      dirty(cache, k); // 11,500 bytes: over budget, under the back-pressure bound of 12,500
    }
    long before = visits();
    for (int i = 0; i < 1000; i++) {
      cache.unpinRead(cache.pinRead(i % 115));
    }
    long visited = visits() - before;
    assertTrue(visited <= Clock.FOREGROUND_VISITS,
        "1000 releases visited " + visited + " objects (a full run each would visit ~345 each)");
    assertEquals(0, backend.writeBacks.get(), "releasing threads write nothing back");
    assertEquals(115, cache.size());
    assertFalse(queued.isEmpty(), "the dirty objects were handed to the background writer");

    runQueued();
    assertTrue(cache.usedBytes() <= 10_000, "the background run got under budget: " + cache.usedBytes());
    assertTrue(backend.writeBacks.get() >= 15, "write-backs " + backend.writeBacks.get());
  }

  @Test
  void aFullRunEndsTheForegroundPauseSoTheReleasingThreadFreesCleanObjectsAgain() {
    CacheTable<Obj> cache = cacheWithQueuedBackground(10_000);
    for (long k = 0; k < 110; k++) {
      dirty(cache, k);
    }
    long paused = visits();
    cache.unpinRead(cache.pinRead(0)); // the foreground found nothing to free and paused
    assertEquals(paused, visits(), "a paused foreground run visits nothing");
    runQueued(); // the background writes back: every object is clean now
    assertTrue(cache.usedBytes() <= 10_000);
    backend.shrinkTo = 50; // clean objects now hold parts the releasing thread can drop
    long resumed = visits();
    int writtenBefore = backend.writeBacks.get();
    for (long k = 1000; k < 1020; k++) {
      cache.unpinRead(cache.pinRead(k)); // each load adds 100, each shrink frees 50
      assertTrue(cache.usedBytes() <= 10_000 + 100, "used " + cache.usedBytes() + " at " + k);
    }
    assertTrue(visits() > resumed, "the foreground runs resumed");
    assertTrue(backend.shrinks.get() >= 20, "the releasing threads shrank clean objects: " + backend.shrinks.get());
    assertEquals(writtenBefore, backend.writeBacks.get(), "and wrote nothing back");
    assertEquals(0, backend.violations.get());
  }

  @Test
  void aBackgroundRunWaitsForTheHandInsteadOfPassing() throws Exception {
    CountDownLatch inForegroundRun = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    FakeBackend blocking = new FakeBackend() {
      @Override
      public boolean holdsParts(Obj o) {
        if (Thread.currentThread().getName().equals("foreground")) {
          inForegroundRun.countDown(); // the foreground run holds the hand here
          try {
            letGo.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return false;
      }
    };
    CacheTable<Obj> cache = new CacheTable<>(blocking, 10_000, counters);
    cache.setBackground(task -> {
      synchronized (queued) {
        queued.add(task);
      }
      return true;
    });
    cache.unpinRead(cache.pinRead(0)); // one clean object, first in the table: the run stops at it
    for (long k = 1; k < 100; k++) {
      dirty(cache, k); // exactly the budget: no run yet
    }
    assertTrue(queued.isEmpty());
    Thread foreground = new Thread(() -> dirty(cache, 200), "foreground"); // over budget
    foreground.start();
    assertTrue(inForegroundRun.await(30, TimeUnit.SECONDS), "the foreground run reached the clean object");
    Runnable background;
    synchronized (queued) {
      assertEquals(1, queued.size(), "the release queued one background run");
      background = queued.remove(0);
    }
    Thread writer = new Thread(background, "background");
    writer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (writer.getState() != Thread.State.WAITING && writer.getState() != Thread.State.TERMINATED
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    letGo.countDown();
    writer.join(30_000);
    foreground.join(30_000);
    assertTrue(blocking.writeBacks.get() > 0,
        "the background run waited for the hand, then wrote dirty objects back");
    assertTrue(cache.usedBytes() <= 10_000, "used " + cache.usedBytes());
    assertEquals(0, blocking.violations.get());
  }
}
