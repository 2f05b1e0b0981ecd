package dev.sapwood.internal.cache;

import static dev.sapwood.internal.cache.CacheFakes.sumOfCached;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.CacheFakes.FakeBackend;
import dev.sapwood.internal.cache.CacheFakes.Obj;
import dev.sapwood.internal.stats.Counters;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The arrays process-wide pools keep count against the cache's budget ({@link
 * CacheTable#countPools}): the cache's objects get what the pools leave, at most the cap in bytes
 * goes to the pools and never what would leave the objects less than the floor, a budget at or
 * under the floor counts none, and room the pools give back goes to the objects again.
 */
class PooledBytesBudgetTest {
  private final FakeBackend backend = new FakeBackend();

  /** Touches random keys (objects of 50–149 bytes) and returns the least and most the objects held after each. */
  private long[] churn(CacheTable<Obj> cache, Random rnd, int touches) {
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < touches; i++) {
      backend.loadSize = 50 + rnd.nextInt(100);
      cache.unpinRead(cache.pinRead(rnd.nextInt(2000)));
      assertEquals(sumOfCached(cache), cache.usedBytes(), "the pools' bytes are not the objects' use");
      long held = sumOfCached(cache);
      min = Math.min(min, held);
      max = Math.max(max, held);
    }
    return new long[] {min, max};
  }

  private static Random seeded(String what) {
    long seed = System.nanoTime();
    System.out.println("PooledBytesBudgetTest." + what + " seed " + seed);
    return new Random(seed);
  }

  @Test
  void theObjectsGetWhatThePoolsLeaveOfTheBudgetUpToTheCap() {
    Random rnd = seeded("cap");
    CacheTable<Obj> cache = new CacheTable<>(backend, 10_000, new Counters());
    long[] kept = {2_000};
    cache.countPools(() -> kept[0], 6_000, 3_000);
    churn(cache, rnd, 300); // fills the cache: eviction runs, and each recounts the pools
    assertEquals(2_000, cache.pooledBytes());
    long[] held = churn(cache, rnd, 3_000);
    assertTrue(held[1] <= 8_000 + 150, "objects stay within the budget less the pools: " + held[1]);
    assertTrue(held[0] >= 8_000 - 300, "and fill what the pools leave: " + held[0]);

    kept[0] = 1_000_000; // pools of another database's size: the cap in bytes at most
    // until the next eviction run recounts them the objects keep what the last count left them
    // (up to 8,000 here): a run starts only once they pass it, so churn past that first
    churn(cache, rnd, 300);
    held = churn(cache, rnd, 3_000);
    assertEquals(3_000, cache.pooledBytes());
    assertTrue(held[1] <= 10_000 - 3_000 + 150, "held " + held[1]);

    kept[0] = 0; // the pools let their arrays go: the objects take the room back
    held = churn(cache, rnd, 3_000);
    assertEquals(0, cache.pooledBytes());
    assertTrue(held[1] > 10_000 - 300, "the whole budget is the objects' again: " + held[1]);
  }

  @Test
  void theObjectsKeepTheFloorAndABudgetUnderItCountsNoPools() {
    Random rnd = seeded("floor");
    CacheTable<Obj> near = new CacheTable<>(backend, 10_000, new Counters());
    near.countPools(() -> 1_000_000, 8_500, 3_000);
    churn(near, rnd, 300);
    assertEquals(1_500, near.pooledBytes(), "no more than leaves the objects the floor");
    long[] held = churn(near, rnd, 3_000);
    assertTrue(held[1] <= 8_500 + 150 && held[0] >= 8_500 - 300, "held " + held[0] + "-" + held[1]);

    CacheTable<Obj> small = new CacheTable<>(backend, 5_000, new Counters());
    small.countPools(() -> 1_000_000, 6_000, 3_000);
    churn(small, rnd, 300);
    assertEquals(0, small.pooledBytes(), "a small database is not taxed for the process's pools");
    held = churn(small, rnd, 3_000);
    assertTrue(held[1] > 5_000 - 300, "the whole budget is the objects': " + held[1]);
  }

  @Test
  void aNegativeFloorOrCapIsRefused() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 10_000, new Counters());
    assertThrows(IllegalArgumentException.class, () -> cache.countPools(() -> 0, -1, 3_000));
    assertThrows(IllegalArgumentException.class, () -> cache.countPools(() -> 0, 6_000, -1));
  }
}
