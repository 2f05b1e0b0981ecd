package dev.sapwood.internal.cache;

import static dev.sapwood.internal.cache.CacheFakes.sumOfCached;
import static dev.sapwood.internal.cache.CacheFakes.touch;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.CacheFakes.FakeBackend;
import dev.sapwood.internal.cache.CacheFakes.Obj;
import dev.sapwood.internal.stats.Counters;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * The cache keeps its objects within the budget: what is charged counts against it, usage stays
 * near it, pinned objects are never evicted, and under concurrent pins the accounting and the
 * objects' values stay consistent.
 */
class CacheBudgetTest {
  private final FakeBackend backend = new FakeBackend();

  @Test
  void chargedBytesCountAgainstTheBudget() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 10_000, new Counters());
    cache.charge(4_000);
    Random rnd = new Random(5);
    for (int i = 0; i < 3000; i++) {
      backend.loadSize = 50 + rnd.nextInt(100);
      touch(cache, rnd.nextInt(2000));
      assertEquals(sumOfCached(cache) + 4_000, cache.usedBytes(), "objects and the charge, after " + i);
      assertTrue(sumOfCached(cache) <= 6_000 + 150, "objects get what the charge leaves: " + sumOfCached(cache));
    }
    cache.charge(-4_000);
    assertEquals(sumOfCached(cache), cache.usedBytes(), "a charge given back");
  }

  @Test
  void pinnedObjectsAreNeverEvicted() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 1000, new Counters());
    Obj held = cache.pinRead(1);
    Obj heldW = cache.pinWrite(2);
    for (long k = 10; k < 500; k++) {
      touch(cache, k);
      assertTrue(cache.usedBytes() <= 1000 + 100 + 200, "used " + cache.usedBytes());
    }
    assertEquals(1, backend.loads(1));
    assertEquals(1, backend.loads(2));
    cache.unpinRead(held);
    cache.unpinWrite(heldW);
    assertSame(held, cache.pinRead(1), "a pinned object stayed cached");
    assertEquals(1, backend.loads(1));
    assertEquals(0, backend.violations.get());
  }

  @Test
  void usedBytesStaysNearTheBudget() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 10_000, new Counters());
    Random rnd = new Random(3);
    for (int i = 0; i < 5000; i++) {
      backend.loadSize = 50 + rnd.nextInt(100);
      touch(cache, rnd.nextInt(2000));
      assertTrue(cache.usedBytes() <= 10_000 + 150, "used " + cache.usedBytes() + " after " + i);
      assertEquals(sumOfCached(cache), cache.usedBytes(), "accounting after " + i);
    }
    assertTrue(cache.usedBytes() >= 10_000 - 2 * 150, "cache should stay full, uses " + cache.usedBytes());
    assertTrue(cache.size() < 2000);
  }

  @Test
  void concurrentPinsKeepTheAccountingAndTheValuesConsistent() throws Exception {
    backend.shrinkTo = -1;
    CacheTable<Obj> cache = new CacheTable<>(backend, 3000, new Counters());
    int keys = 100;
    int threads = 8;
    AtomicLongArray increments = new AtomicLongArray(keys);
    AtomicInteger pinnedButEvicted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long seed = t;
      done.add(pool.submit(() -> {
        Random rnd = new Random(seed);
        start.await();
        for (int i = 0; i < 20_000; i++) {
          long k = rnd.nextInt(keys);
          if (rnd.nextInt(3) == 0) {
            Obj o = cache.pinWrite(k);
            synchronized (o) {
              if (o.evicted()) {
                pinnedButEvicted.incrementAndGet();
              }
            }
            o.value++;
            o.dirty = true;
            o.size = 20 + rnd.nextInt(200);
            increments.incrementAndGet((int) k);
            cache.unpinWrite(o);
          } else {
            Obj o = cache.pinRead(k);
            synchronized (o) {
              if (o.evicted()) {
                pinnedButEvicted.incrementAndGet();
              }
            }
            cache.unpinRead(o);
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertEquals(0, pinnedButEvicted.get(), "an object was evicted while pinned");
    assertEquals(0, backend.violations.get(), "write-back or shrink without the write latch");
    assertEquals(sumOfCached(cache), cache.usedBytes(), "usedBytes vs the cached objects' sizes");
    cache.forEach(o -> assertEquals(0, o.pins(), "pins left on " + o.key()));
    assertTrue(cache.usedBytes() <= 3000 + 220, "used " + cache.usedBytes());
    for (int k = 0; k < keys; k++) {
      Obj o = cache.pinRead(k);
      assertEquals(increments.get(k), o.value, "value of key " + k + ": an update was lost across eviction");
      cache.unpinRead(o);
    }
  }
}
