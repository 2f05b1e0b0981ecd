package dev.sapwood.internal.cache;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.CacheFakes.FakeBackend;
import dev.sapwood.internal.cache.CacheFakes.Obj;
import dev.sapwood.internal.stats.Counters;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The per-thread record of pins ({@link Pins}) and the clean-up it makes possible. */
class PinsTest {
  private final CacheTable<Obj> cache = new CacheTable<>(new FakeBackend(), 1 << 20, new Counters());

  /** Whether another thread could write-latch {@code o} now (nothing holds its latch). */
  private static boolean freeForAnotherThread(Obj o) throws InterruptedException {
    AtomicBoolean got = new AtomicBoolean();
    Thread t = new Thread(() -> {
      if (o.latch.tryWriteLock()) {
        got.set(true);
        o.latch.writeUnlock();
      }
    });
    t.start();
    t.join();
    return got.get();
  }

  @Test
  void releaseHeldLetsGoOfEveryKindOfPinInAnyMix() throws Exception {
    Obj read = cache.pinRead(1);
    Obj write = cache.pinWrite(2);
    Obj unlatched = cache.pinUnlatched(3);
    Obj latchedLater = cache.pinUnlatched(4);
    assertTrue(cache.tryReadLatch(latchedLater, 0));
    Pins p = cache.pins();
    Obj explicit = cache.pinRead(5, p);
    assertEquals(5, p.size());
    assertFalse(cache.holdsNothing());
    assertFalse(freeForAnotherThread(read));
    assertFalse(freeForAnotherThread(write));
    assertFalse(freeForAnotherThread(latchedLater));

    cache.releaseHeld(); // the clean-up of an operation that failed part-way

    assertTrue(cache.holdsNothing());
    for (Obj o : new Obj[] {read, write, unlatched, latchedLater, explicit}) {
      assertTrue(freeForAnotherThread(o), "latch of " + o.key() + " still held");
      assertEquals(0, o.pins(), "pin of " + o.key() + " still counted");
      assertEquals(0, o.latch.readers());
    }
  }

  @Test
  void unpinsInAnyOrderKeepTheRecordExact() throws Exception {
    Pins p = cache.pins();
    Obj a = cache.pinRead(1, p);
    Obj b = cache.pinRead(2, p);
    Obj c = cache.pinUnlatched(3, p);
    cache.unpinRead(a, p); // the oldest first, as a chunk read lets its path go
    assertEquals(2, p.size());
    assertTrue(cache.tryReadLatch(c, 0, p));
    cache.unpinRead(c, p);
    cache.unpinRead(b, p);
    assertTrue(cache.holdsNothing());
    for (Obj o : new Obj[] {a, b, c}) {
      assertEquals(0, o.pins());
      assertTrue(freeForAnotherThread(o));
    }
    // The record grows past its first array and shrinks back.
    Obj[] many = new Obj[40];
    for (int i = 0; i < many.length; i++) {
      many[i] = cache.pinRead(100 + i, p);
    }
    assertEquals(40, p.size());
    for (int i = many.length - 1; i >= 0; i--) {
      cache.unpinRead(many[i], p);
    }
    assertTrue(cache.holdsNothing());
  }

  @Test
  void hitsAreCountedExactlyOnceTheThreadHoldsNoPin() {
    Counters counters = new Counters();
    CacheTable<Obj> c = new CacheTable<>(new FakeBackend(), 1 << 20, counters);
    Pins p = c.pins();
    c.unpinRead(c.pinRead(1, p), p); // a miss
    Obj a = c.pinRead(1, p); // hits from here on
    Obj b = c.pinUnlatched(1, p);
    c.unpinUnlatched(b, p);
    c.unpinRead(a, p);
    assertEquals(2, counters.counter("cache.hits").sum());
    assertEquals(1, counters.counter("cache.misses").sum());
    c.pinWrite(1);
    c.releaseHeld(); // the failure path adds them too
    assertEquals(3, counters.counter("cache.hits").sum());
  }

  @Test
  void latchingAnObjectTwiceInOneThreadIsCaught() {
    assumeAssertionsOn();
    Obj o = cache.pinRead(1);
    // A non-reentrant latch would deadlock here once a writer waits: the cache refuses it.
    assertThrows(AssertionError.class, () -> cache.pinRead(1));
    assertThrows(AssertionError.class, () -> cache.pinWrite(1));
    cache.releaseHeld();
    assertTrue(cache.holdsNothing());
    assertTrue(o.latch.tryWriteLock());
    o.latch.writeUnlock();
  }

  private static void assumeAssertionsOn() {
    boolean on = false;
    assert on = true;
    org.junit.jupiter.api.Assumptions.assumeTrue(on, "assertions are off");
  }
}
