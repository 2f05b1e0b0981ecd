package dev.sapwood.internal.cache;

import static dev.sapwood.internal.cache.CacheFakes.touch;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.CacheFakes.FakeBackend;
import dev.sapwood.internal.cache.CacheFakes.Obj;
import dev.sapwood.internal.stats.Counters;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Backbone objects (a tree's nodes above the parents of leaves) stay, dirty or clean, up to their
 * share of the budget while writes go on; past it, or once the cache is quiet, they go as any
 * object does, and the budget holds.
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

  @Test
  void backboneObjectsAreWrittenBackAndShrunkOnceChangesStopAndKeptAgainWhenTheyResume() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 3000, new Counters());
    backend.shrinkTo = 40; // every object holds parts beyond 40 bytes the clock may drop
    for (long k = 0; k < 4; k++) {
      backbone.add(k);
      dirty(cache, k);
    }
    for (long k = 100; k < 400; k++) {
      dirty(cache, k);
    }
    for (long k = 0; k < 4; k++) {
      assertNull(backend.writeBacksOf.get(k), "backbone object " + k + " written back while changes came");
    }
    // Reads only, through the backbone to objects loaded once: a quiet cache keeps no backbone,
    // so the backbone's objects are written back and shrunk like any other.
    for (long k = 1000; k < 4000; k++) {
      touch(cache, k % 4);
      touch(cache, k);
    }
    for (long k = 0; k < 4; k++) {
      assertNotNull(backend.writeBacksOf.get(k), "quiet backbone object " + k + " was never written back");
      assertEquals(k + 1, backend.stored.get(k), "what was written back for " + k);
      assertEquals(Boolean.TRUE, backend.lastShrink.get(k), "quiet backbone object " + k + " was never shrunk");
    }
    assertTrue(cache.usedBytes() <= 3000 + 100, "used " + cache.usedBytes());
    // Writes resume: the backbone stays again, from the first sweep that sees the change.
    int before = backend.writeBacksOf.get(0L).get();
    for (long k = 0; k < 4; k++) {
      dirty(cache, k);
    }
    for (long k = 5000; k < 5300; k++) {
      dirty(cache, k);
    }
    assertEquals(before, backend.writeBacksOf.get(0L).get(), "backbone object 0 written back after writes resumed");
    assertEquals(0, backend.violations.get());
  }
}
