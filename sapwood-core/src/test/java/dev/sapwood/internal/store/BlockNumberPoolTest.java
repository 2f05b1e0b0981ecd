package dev.sapwood.internal.store;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class BlockNumberPoolTest {
  @Test
  void handsOutFreshNumbersThenReusesTheLowestFreed() {
    BlockNumberPool p = new BlockNumberPool(1);
    assertEquals(1, p.allocate());
    assertEquals(2, p.allocate());
    assertEquals(3, p.allocate());
    p.release(3);
    p.release(1);
    assertFalse(p.isInUse(1));
    assertTrue(p.isInUse(2));
    assertEquals(1, p.allocate());
    assertEquals(3, p.allocate());
    assertEquals(4, p.allocate());
    assertThrows(IllegalArgumentException.class, () -> p.release(0));
    assertThrows(IllegalArgumentException.class, () -> p.release(99));
    p.release(2);
    assertThrows(IllegalArgumentException.class, () -> p.release(2), "double free");
  }

  @Test
  void rebuildFreesTheGaps() {
    BlockNumberPool p = BlockNumberPool.rebuild(1_000_000_000L, List.of(2L, 5L));
    assertEquals(1, p.allocate());
    assertEquals(3, p.allocate());
    assertEquals(4, p.allocate());
    assertEquals(6, p.allocate());
    assertTrue(p.isInUse(5));
    assertFalse(p.isInUse(7));
  }
}
