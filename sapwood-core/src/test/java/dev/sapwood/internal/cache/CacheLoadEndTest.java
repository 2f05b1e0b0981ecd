package dev.sapwood.internal.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.stats.Counters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every load the cache makes ends on its thread with one call to the backend: {@code entered} once
 * the object is in the map, where other threads find it, or {@code abandoned} if it never got
 * there — so what a load holds (a parked image, taken) is always settled.
 */
class CacheLoadEndTest {
  /** An object whose measuring fails if {@code broken}. */
  private static final class Obj extends Cacheable {
    final boolean broken;

    Obj(long key, boolean broken) {
      super(key);
      this.broken = broken;
    }

    @Override
    public long memoryBytes() {
      if (broken) {
        throw new IllegalStateException("measuring failed");
      }
      return 100;
    }

    @Override
    public boolean isDirty() {
      return false;
    }
  }

  /** Records how each load ended, and whether the object was in the map then. */
  private static final class EndingBackend implements CacheBackend<Obj> {
    final List<String> ends = new ArrayList<>();
    CacheTable<Obj> cache;
    volatile boolean failMeasure;

    @Override
    public Obj load(long key, Obj via) {
      return new Obj(key, failMeasure);
    }

    @Override
    public void writeBack(Obj o) {
      throw new AssertionError("nothing is dirty");
    }

    @Override
    public Shrink shrink(Obj o) {
      return Shrink.NOTHING;
    }

    @Override
    public void entered(Obj o) {
      ends.add("entered " + o.key() + (cache.isCached(o.key()) ? " cached" : " missing"));
    }

    @Override
    public void abandoned(Obj o) {
      ends.add("abandoned " + o.key() + (cache.isCached(o.key()) ? " cached" : " missing"));
    }
  }

  private final EndingBackend backend = new EndingBackend();
  private final CacheTable<Obj> cache = new CacheTable<>(backend, 1 << 20, new Counters());

  CacheLoadEndTest() {
    backend.cache = cache;
  }

  @Test
  void aLoadEndsEnteredOnceItsObjectIsInTheMap() {
    cache.unpinRead(cache.pinRead(7));
    cache.unpinRead(cache.pinRead(7)); // a hit: no load, no end
    assertEquals(List.of("entered 7 cached"), backend.ends);
  }

  @Test
  void aLoadWhoseObjectCannotBeMeasuredEndsAbandonedAndLeavesNothingCached() {
    backend.failMeasure = true;
    assertThrows(IllegalStateException.class, () -> cache.pinRead(9));
    assertEquals(List.of("abandoned 9 missing"), backend.ends);
    assertFalse(cache.isCached(9));
    backend.failMeasure = false;
    cache.unpinRead(cache.pinRead(9));
    assertEquals(List.of("abandoned 9 missing", "entered 9 cached"), backend.ends);
    assertTrue(cache.isCached(9));
  }
}
