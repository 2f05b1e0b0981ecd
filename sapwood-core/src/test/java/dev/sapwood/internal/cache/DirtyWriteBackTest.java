package dev.sapwood.internal.cache;

import static dev.sapwood.internal.cache.CacheFakes.dirty;
import static dev.sapwood.internal.cache.CacheFakes.touch;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.CacheFakes.FakeBackend;
import dev.sapwood.internal.cache.CacheFakes.Obj;
import dev.sapwood.internal.stats.Counters;
import org.junit.jupiter.api.Test;

/**
 * Dirty objects are written back before they are evicted, except favoured ones (internal nodes)
 * while changes come and within their share of the budget; favour ends once changes stop, and
 * changes made unnoted (background work) do not keep it alive.
 */
class DirtyWriteBackTest {
  private final FakeBackend backend = new FakeBackend();

  @Test
  void dirtyObjectsAreWrittenBackBeforeEviction() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 1000, new Counters());
    for (long k = 0; k < 200; k++) {
      Obj o = cache.pinWrite(k);
      o.value = k * 10 + 7;
      o.dirty = true;
      cache.unpinWrite(o);
    }
    assertTrue(backend.writeBacks.get() >= 180, "write-backs " + backend.writeBacks.get());
    for (long k = 0; k < 200; k++) {
      Obj o = cache.pinRead(k);
      assertEquals(k * 10 + 7, o.value, "value of " + k + " (loads " + backend.loads(k) + ")");
      cache.unpinRead(o);
    }
    assertEquals(0, backend.violations.get());
  }

  @Test
  void anObjectTheClockWritesBackAndKeepsIsCountedAtItsSizeAfterTheWrite() {
    backend.writeBackGrowth = 30;
    CacheTable<Obj> cache = new CacheTable<>(backend, 1000, new Counters());
    for (long k = 0; k < 200; k++) {
      dirty(cache, k, k);
      touch(cache, k % 5); // referenced: the hand writes these back and keeps them
    }
    assertTrue(backend.writeBacks.get() > 0, "nothing written back");
    long[] sum = {0};
    int[] grown = {0};
    cache.forEach(o -> {
      assertEquals(o.memoryBytes(), cache.accountedBytes(o), "object " + o.key());
      sum[0] += o.memoryBytes();
      grown[0] += o.size > 100 ? 1 : 0;
    });
    assertTrue(grown[0] > 0, "no cached object was written back and kept");
    assertEquals(sum[0], cache.usedBytes());
  }

  @Test
  void dirtyFavouredObjectsAreNotWrittenBackWhileOthersCanBe() {
    CacheTable<Obj> cache = favouredFill(60, 6);
    for (long k = 0; k < 4; k++) {
      assertEquals(null, backend.writeBacksOf.get(k), "favoured object " + k + " was written back");
    }
    assertTrue(backend.writeBacks.get() >= 500, "write-backs " + backend.writeBacks.get());
    assertTrue(cache.usedBytes() <= 3000 + 100, "used " + cache.usedBytes());
    for (long k = 100; k < 700; k++) {
      Obj o = cache.pinRead(k);
      assertEquals(k, o.value);
      cache.unpinRead(o);
    }
    assertEquals(0, backend.violations.get());
  }

  @Test
  void favouredObjectsBeyondTheirShareOrTheBudgetAreWrittenBack() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 1000, new Counters());
    favourFirst(30);
    for (int round = 0; round < 5; round++) {
      for (long k = 0; k < 30; k++) {
        dirty(cache, k, k * 100 + round);
        assertTrue(cache.usedBytes() <= 1000 + 100, "used " + cache.usedBytes() + " with only favoured objects");
      }
    }
    assertTrue(backend.writeBacks.get() >= 100, "write-backs " + backend.writeBacks.get());
    for (long k = 0; k < 30; k++) {
      Obj o = cache.pinRead(k);
      assertEquals(k * 100 + 4, o.value);
      cache.unpinRead(o);
    }
  }

  @Test
  void favouredObjectsAreWrittenBackOnceChangesStopEvenWhileReadAndFavouredAgainWhenTheyResume() {
    CacheTable<Obj> cache = favouredFill(30, 3);
    for (long k = 0; k < 4; k++) {
      assertEquals(null, backend.writeBacksOf.get(k), "favoured object " + k + " written back while changes came");
    }
    // Then reads only: every read passes through the favoured objects (they stay referenced) and
    // loads a clean object. Nothing changes any more, so their favour ends and they are written
    // back although in use, which lets the clock shrink them like any clean object.
    for (long k = 1000; k < 4000; k++) {
      touch(cache, k % 4);
      touch(cache, k);
    }
    for (long k = 0; k < 4; k++) {
      assertNotNull(backend.writeBacksOf.get(k), "quiet favoured object " + k + " was never written back");
      assertEquals(27L, backend.stored.get(k), "what was written back for " + k);
    }
    assertTrue(cache.usedBytes() <= 3000 + 100, "used " + cache.usedBytes());
    // Writes resume: favour comes back at once.
    assertFavouredKeptWhileWritesCome(cache, 2000, "after writes resumed");
  }

  /** The backend favours objects {@code 0..n-1} (as it would internal nodes). */
  private void favourFirst(int n) {
    for (long k = 0; k < n; k++) {
      backend.favouredKeys.add(k);
    }
  }

  /**
   * A cache of 3,000 bytes after a fill of {@code rounds}: objects 0..3 are favoured and changed
   * every {@code every} rounds (like an internal node's buffer: changed now and then, unused
   * between), and each round writes 10 new objects from 100 on (leaves, written and evicted).
   */
  private CacheTable<Obj> favouredFill(int rounds, int every) {
    CacheTable<Obj> cache = new CacheTable<>(backend, 3000, new Counters());
    favourFirst(4);
    for (int round = 0; round < rounds; round++) {
      if (round % every == 0) {
        for (long k = 0; k < 4; k++) {
          dirty(cache, k, round);
        }
      }
      for (long k = 100 + round * 10L; k < 110 + round * 10L; k++) {
        dirty(cache, k, k);
      }
    }
    return cache;
  }

  /** Writes to objects 0..3 and to new objects from {@code firstNew} on: 0..3 stay, favoured. */
  private void assertFavouredKeptWhileWritesCome(CacheTable<Obj> cache, long firstNew, String when) {
    backend.writeBacksOf.clear();
    for (int round = 0; round < 30; round++) {
      for (long k = 0; k < 4; k++) {
        dirty(cache, k, 1000 + round);
      }
      for (long k = firstNew + round * 10L; k < firstNew + 10 + round * 10L; k++) {
        dirty(cache, k, k);
      }
    }
    for (long k = 0; k < 4; k++) {
      assertEquals(null, backend.writeBacksOf.get(k), "favoured object " + k + " written back " + when);
    }
    assertEquals(0, backend.violations.get());
  }

  @Test
  void changesMadeUnnotedDoNotKeepFavourAlive() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 3000, new Counters());
    favourFirst(4);
    for (long k = 0; k < 4; k++) {
      dirty(cache, k, 7);
    }
    // Reads only, but background work (a cleaner flush) keeps changing object 50 meanwhile.
    for (long k = 1000; k < 4000; k++) {
      cache.runUnnoted(() -> {
        dirty(cache, 50, 1);
        return null;
      });
      touch(cache, k % 4);
      touch(cache, k);
    }
    for (long k = 0; k < 4; k++) {
      assertNotNull(backend.writeBacksOf.get(k), "favoured object " + k + " kept although only unnoted work changed things");
    }
    // Changes noted again: a write (outside runUnnoted) keeps the favour.
    assertFavouredKeptWhileWritesCome(cache, 3000, "while writes came");
  }
}
