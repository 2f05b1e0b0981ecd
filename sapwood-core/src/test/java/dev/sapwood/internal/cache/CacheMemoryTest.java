package dev.sapwood.internal.cache;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.cache.CacheFakes.Obj;
import org.junit.jupiter.api.Test;

class CacheMemoryTest {

  /** A budget of 1000 bytes with {@code objects} loaded into it. */
  private static CacheMemory loadedWith(Obj... objects) {
    CacheMemory memory = new CacheMemory(1000);
    for (Obj o : objects) {
      memory.loaded(o);
    }
    return memory;
  }

  @Test
  void usedIsTheSumOfWhatEachObjectWasLastMeasuredAt() {
    Obj a = new Obj(1, 100, 0);
    CacheMemory memory = loadedWith(a, new Obj(2, 200, 0));
    assertEquals(300, memory.used());
    a.size = 150;
    assertEquals(300, memory.used(), "a change counts only once measured");
    memory.account(a);
    assertEquals(350, memory.used());
    assertEquals(150, memory.accounted(a));
  }

  @Test
  void aKnownGrowthIsCountedWithoutMeasuring() {
    Obj a = new Obj(1, 100, 0);
    CacheMemory memory = loadedWith(a);
    a.size = 999; // not what the caller says it grew by: never measured here
    memory.grown(a, 40);
    assertEquals(140, memory.used());
    assertEquals(140, memory.accounted(a));
    memory.grown(a, 0);
    assertEquals(140, memory.used());
  }

  @Test
  void droppedAndRemovedObjectsNoLongerCount() {
    Obj evicted = new Obj(1, 100, 0);
    Obj freed = new Obj(2, 200, 0);
    CacheMemory memory = loadedWith(evicted, freed);
    memory.dropped(evicted);
    assertEquals(200, memory.used());
    memory.removed(freed);
    assertEquals(0, memory.used());
    assertEquals(0, memory.accounted(freed), "a removed object counts for nothing if released again");
  }

  @Test
  void roomMeansAQuarterOfTheBudgetStaysFree() {
    CacheMemory memory = loadedWith(new Obj(1, 700, 0));
    assertTrue(memory.hasRoom(50));
    assertFalse(memory.hasRoom(51), "just under the budget is no room");
  }
}
