package dev.sapwood.internal.store;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SpaceAllocatorTest {
  private static final long U = BlockFileFormat.ALIGNMENT;
  private static final long S = BlockFileFormat.DATA_START;

  @Test
  void allocatesFromTheEndWhenNothingIsFree() {
    SpaceAllocator a = new SpaceAllocator(S);
    assertEquals(S, a.allocate(U));
    assertEquals(S + U, a.allocate(3 * U));
    assertEquals(S + 4 * U, a.end());
    assertEquals(0, a.freeBytes());
  }

  @Test
  void reusesFreedSpaceFirstFitByLowestAddress() {
    SpaceAllocator a = new SpaceAllocator(S);
    long x = a.allocate(2 * U);
    a.allocate(U);
    long z = a.allocate(3 * U);
    a.allocate(U);
    a.release(z, 3 * U);
    a.release(x, 2 * U);
    assertEquals(x, a.allocate(U), "lowest fitting extent first");
    assertEquals(z, a.allocate(3 * U), "the remaining piece of x is too small");
    assertEquals(x + U, a.allocate(U));
    assertEquals(0, a.freeBytes());
  }

  @Test
  void coalescesNeighboursOnBothSides() {
    SpaceAllocator a = new SpaceAllocator(S);
    long p = a.allocate(U);
    long q = a.allocate(U);
    long r = a.allocate(U);
    a.allocate(U);
    a.release(p, U);
    a.release(r, U);
    assertEquals(2, a.freeExtents());
    a.release(q, U);
    assertEquals(1, a.freeExtents());
    assertTrue(a.isFree(p, 3 * U));
    assertEquals(p, a.allocate(3 * U), "one coalesced extent serves a 3-unit request");
  }

  @Test
  void trimTailDropsOnlyTheFreeExtentAtTheEnd() {
    SpaceAllocator a = new SpaceAllocator(S);
    long p = a.allocate(U);
    long q = a.allocate(U);
    long r = a.allocate(2 * U);
    a.release(p, U);
    assertEquals(S + 4 * U, a.trimTail(), "the free extent is not at the end");
    a.release(r, 2 * U);
    assertEquals(q + U, a.trimTail());
    assertEquals(U, a.freeBytes());
    assertEquals(q + U, a.allocate(2 * U), "too big for p: continues at the new end");
    assertEquals(p, a.allocate(U));
  }

  @Test
  void doubleReleaseAndUnalignedExtentsAreRejected() {
    SpaceAllocator a = new SpaceAllocator(S);
    long p = a.allocate(2 * U);
    a.release(p, U);
    assertThrows(IllegalStateException.class, () -> a.release(p, U));
    assertThrows(IllegalArgumentException.class, () -> a.release(p + 1, U));
    assertThrows(IllegalStateException.class, () -> a.release(p + 2 * U, U), "past the end");
  }

  @Test
  void rebuildFreesEverythingNotUsed() {
    SpaceAllocator a = SpaceAllocator.rebuild(S,
        new long[][] {{S + 5 * U, U}, {S + U, 2 * U}});
    assertEquals(S + 6 * U, a.end());
    assertEquals(3 * U, a.freeBytes());
    assertTrue(a.isFree(S, U));
    assertTrue(a.isFree(S + 3 * U, 2 * U));
    assertFalse(a.isFree(S + U, U));
    assertThrows(IllegalArgumentException.class,
        () -> SpaceAllocator.rebuild(S, new long[][] {{S, 2 * U}, {S + U, U}}));
  }

  /** Random allocations and releases checked against a bitmap of units. */
  @Test
  void randomOperationsMatchABitmapModel() {
    long seed = System.nanoTime();
    java.util.Random rnd = new java.util.Random(seed);
    SpaceAllocator a = new SpaceAllocator(S);
    java.util.Map<Long, Long> live = new java.util.HashMap<>();
    java.util.BitSet used = new java.util.BitSet();
    for (int op = 0; op < 20_000; op++) {
      if (live.isEmpty() || rnd.nextInt(3) > 0) {
        long len = (1 + rnd.nextInt(4)) * U;
        long off = a.allocate(len);
        int from = (int) ((off - S) / U);
        int to = (int) ((off - S + len) / U);
        assertTrue(used.get(from, to).isEmpty(), "seed " + seed + ": overlapping allocation");
        used.set(from, to);
        live.put(off, len);
      } else {
        Long off = live.keySet().iterator().next();
        long len = live.remove(off);
        a.release(off, len);
        used.clear((int) ((off - S) / U), (int) ((off - S + len) / U));
      }
      if (rnd.nextInt(100) == 0) {
        a.trimTail();
      }
      long unitsBelowEnd = (a.end() - S) / U;
      assertEquals(unitsBelowEnd - used.cardinality(), a.freeBytes() / U, "seed " + seed);
      assertTrue(used.length() <= unitsBelowEnd, "seed " + seed);
    }
  }
  @Test
  void firstFitOutsideWindowsSkipsThemAndAllocateAtSplitsTheExtent() {
    SpaceAllocator a = new SpaceAllocator(S);
    long x = a.allocate(10 * U);
    a.allocate(U);
    long y = a.allocate(4 * U);
    a.allocate(U);
    a.release(x, 10 * U);
    a.release(y, 4 * U);
    long[][] windows = {{x + 2 * U, x + 8 * U}};
    assertEquals(x, a.firstFitOutside(2 * U, windows, a.end()), "before the window");
    long[][] two = {{x, x + 6 * U}, {x + 7 * U, x + 8 * U}};
    assertEquals(x + 8 * U, a.firstFitOutside(2 * U, two, a.end()), "after both windows, in the same extent");
    assertEquals(y, a.firstFitOutside(3 * U, windows, a.end()), "the extent past the window");
    assertEquals(-1, a.firstFitOutside(3 * U, windows, y + 2 * U), "nothing below the limit");
    assertEquals(-1, a.firstFitOutside(5 * U, windows, a.end()));
    a.allocateAt(x + 3 * U, 2 * U);
    assertEquals(12 * U, a.freeBytes());
    assertTrue(a.isFree(x, 3 * U));
    assertTrue(a.isFree(x + 5 * U, 5 * U));
    assertEquals(3, a.freeExtents());
    long end = a.end();
    assertEquals(end, a.allocateAtEnd(U));
    assertEquals(end + U, a.end());
  }
}
