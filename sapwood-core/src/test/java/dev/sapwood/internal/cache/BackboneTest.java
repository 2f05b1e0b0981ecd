package dev.sapwood.internal.cache;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.CacheFakes.FakeBackend;
import dev.sapwood.internal.cache.CacheFakes.Obj;
import dev.sapwood.internal.stats.Counters;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Backbone objects (a tree's nodes above the parents of leaves) stay, dirty or clean, up to their
 * share of the budget; past it they go as any object does, and the budget holds.
 */
class BackboneTest {
  private final Set<Long> backbone = ConcurrentHashMap.newKeySet();
  private final FakeBackend backend = new FakeBackend() {
    @Override
    public boolean backbone(Obj o) {
      return backbone.contains(o.key());
    }
  };

  /** Makes {@code key} dirty with the value {@code key + 1}. */
  private static void dirty(CacheTable<Obj> cache, long key) {
    CacheFakes.dirty(cache, key, key + 1);
  }

  @Test
  void dirtyBackboneObjectsWithinTheirShareAreNotWrittenBackWhileOthersAre() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 10_000, new Counters());
    for (long k = 0; k < 4; k++) {
      backbone.add(k); // 400 bytes, well within their share of the budget
    }
    for (long k = 0; k < 300; k++) {
      dirty(cache, k); // the rest are written back and evicted as the cache fills
    }
    for (long k = 0; k < 4; k++) {
      assertTrue(cache.isCached(k), "backbone object " + k + " stays");
      assertNull(backend.writeBacksOf.get(k), "and is not written back");
    }
    assertTrue(backend.writeBacks.get() >= 200, "the others were written back: " + backend.writeBacks.get());
    assertTrue(cache.usedBytes() <= 10_000 + 100, "used " + cache.usedBytes());
    assertEquals(0, backend.violations.get());
  }

  @Test
  void backboneObjectsBeyondTheirShareGoAsOthersDo() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 1000, new Counters());
    for (long k = 0; k < 20; k++) {
      backbone.add(k); // 2,000 bytes of backbone objects against a share of 750
    }
    for (long k = 0; k < 20; k++) {
      dirty(cache, k);
    }
    int cached = 0;
    for (long k = 0; k < 20; k++) {
      cached += cache.isCached(k) ? 1 : 0;
    }
    assertTrue(cache.usedBytes() <= 1000 + 100, "the budget holds: used " + cache.usedBytes());
    assertTrue(cached <= 11, "at most the budget's worth stays: " + cached);
    assertTrue(backend.writeBacks.get() >= 9, "the rest were written back: " + backend.writeBacks.get());
    for (long k = 0; k < 20; k++) {
      Obj o = cache.pinRead(k);
      assertEquals(k + 1, o.value, "value of " + k);
      cache.unpinRead(o);
    }
    assertEquals(0, backend.violations.get());
  }
}
