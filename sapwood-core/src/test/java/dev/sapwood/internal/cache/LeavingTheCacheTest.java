package dev.sapwood.internal.cache;

import static dev.sapwood.internal.cache.CacheFakes.dirty;
import static dev.sapwood.internal.cache.CacheFakes.touch;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.CacheFakes.FakeBackend;
import dev.sapwood.internal.cache.CacheFakes.Obj;
import dev.sapwood.internal.cache.CacheFakes.ParkingBackend;
import dev.sapwood.internal.stats.Counters;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What happens to objects that leave the cache: an evicted key is loaded again, a removed object
 * leaves the accounting and is never released as changed, removed again or pinned again, and a
 * parked one ({@code parkNow}) comes back as it was, never written back.
 */
class LeavingTheCacheTest {
  private final FakeBackend backend = new FakeBackend();

  @Test
  void pinningAnEvictedKeyLoadsItAgain() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 300, new Counters());
    Obj before = cache.pinRead(1);
    cache.unpinRead(before);
    for (long k = 2; k < 60; k++) {
      touch(cache, k);
    }
    assertTrue(cache.size() <= 4, "size " + cache.size());
    Obj after = cache.pinRead(1);
    assertEquals(2, backend.loads(1), "evicted key is loaded again");
    assertNotSame(before, after);
    cache.unpinRead(after);
  }

  @Test
  void removedObjectsLeaveTheAccounting() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 10_000, new Counters());
    Obj o = cache.pinWrite(5);
    cache.remove(o);
    assertEquals(0, cache.usedBytes());
    assertEquals(0, cache.size());
    Obj inserted = cache.insertPinned(new Obj(6, 300, 0));
    assertEquals(300, cache.usedBytes());
    inserted.size = 500;
    cache.unpinWrite(inserted);
    assertEquals(500, cache.usedBytes(), "unpinWrite re-measures");
    assertThrows(IllegalStateException.class, () -> cache.insertPinned(new Obj(6, 1, 0)));
  }

  @Test
  void aRemovedObjectIsNeverReleasedAsChangedRemovedAgainOrPinnedAgain() {
    CacheTable<Obj> cache = new CacheTable<>(backend, 10_000, new Counters());
    Obj o = cache.pinWrite(5);
    cache.remove(o); // its block freed; a stale holder must not go on with it
    for (Runnable use : List.<Runnable>of(() -> cache.unpinWrite(o), () -> cache.unpinWriteGrown(o, 10),
        () -> cache.remove(o))) {
      IllegalStateException e = assertThrows(IllegalStateException.class, use::run);
      assertTrue(e.getMessage().startsWith("block 5 "), e.getMessage());
    }
    assertFalse(cache.pinWriteKnown(o, true), "a removed object is not pinned again");
    assertEquals(0, cache.usedBytes(), "nothing was accounted for it again");
    assertTrue(cache.holdsNothing());
  }

  @Test
  void parkNowParksAnIdleDirtyObjectAndNeverWritesOneBack() {
    ParkingBackend b = new ParkingBackend();
    CacheTable<Obj> cache = new CacheTable<>(b, 10_000, new Counters());
    dirty(cache, 1, 11);
    touch(cache, 2); // clean
    dirty(cache, 3, 33);
    long used = cache.usedBytes();

    assertTrue(cache.parkNow(1), "an idle dirty object is parked");
    assertFalse(cache.isCached(1), "and leaves the cache");
    assertEquals(used - 100, cache.usedBytes(), "and its bytes the budget");
    assertFalse(cache.parkNow(2), "a clean object is not parked");
    assertTrue(cache.isCached(2));
    assertFalse(cache.parkNow(4), "nor one that is not cached");

    Obj pinned = cache.pinRead(3);
    assertFalse(cache.parkNow(3), "nor a pinned one");
    cache.unpinRead(pinned);
    b.refuse = true;
    assertFalse(cache.parkNow(3), "nor one the backend does not take");
    assertTrue(cache.isCached(3) && !b.parked.containsKey(3L), "which stays cached and dirty");
    assertEquals(0, b.writeBacks.get(), "parkNow never writes an object back");

    Obj back = cache.pinRead(1);
    assertEquals(11, back.value, "a parked object comes back as it was");
    assertTrue(back.dirty, "dirty");
    cache.unpinRead(back);
    assertEquals(0, b.violations.get());
  }
}
