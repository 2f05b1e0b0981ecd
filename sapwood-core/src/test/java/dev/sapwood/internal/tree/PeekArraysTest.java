package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Arrays lent to one read's peeks: reused within a thread's scopes, taken back (and poisoned) when the outermost closes. */
class PeekArraysTest {
  @Test
  void outsideAScopeEveryTakeIsAFreshArrayOfExactlyTheLength() {
    byte[] a = PeekArrays.take(100);
    byte[] b = PeekArrays.take(100);
    assertEquals(100, a.length);
    assertNotSame(a, b);
  }

  @Test
  void arraysLentInAScopeAreDistinctReusedByTheNextScopeAndPoisonedWhenItCloses() {
    byte[] first;
    byte[] second;
    PeekArrays scope = PeekArrays.open();
    try {
      first = PeekArrays.take(1000);
      second = PeekArrays.take(1000);
      assertNotSame(first, second, "two peeks of one read share an array");
      assertTrue(first.length >= 1000);
      first[0] = 7;
      PeekArrays inner = PeekArrays.open(); // a nested scope does not take anything back
      inner.close();
      assertEquals(7, first[0], "a nested scope's close took the outer scope's arrays back");
    } finally {
      scope.close();
    }
    if (PeekArrays.class.desiredAssertionStatus()) {
      assertEquals(PeekArrays.POISON, first[0], "a lent array was not poisoned when its scope closed");
    }
    scope = PeekArrays.open();
    try {
      assertSame(first, PeekArrays.take(500), "the next read reuses the thread's arrays");
    } finally {
      scope.close();
    }
  }

  @Test
  void aThreadKeepsAtMostItsArraysAndNoneLargerThanTheBound() {
    PeekArrays scope = PeekArrays.open();
    try {
      byte[] big = PeekArrays.take(PeekArrays.MAX + 1);
      assertEquals(PeekArrays.MAX + 1, big.length, "past the bound: a fresh array of the length");
      byte[][] kept = new byte[PeekArrays.KEPT][];
      for (int i = 0; i < PeekArrays.KEPT; i++) {
        kept[i] = PeekArrays.take(16);
      }
      byte[] extra = PeekArrays.take(16);
      assertEquals(16, extra.length, "past the kept arrays: a fresh one");
      for (byte[] k : kept) {
        assertNotSame(extra, k);
      }
    } finally {
      scope.close();
    }
  }

  @Test
  void pointListsAndPrefixesAreLentLongEnoughAndPoisonedWhenTheScopeCloses() {
    assertEquals(8, PeekArrays.takeInts(3).length, "outside a scope: fresh, at least 8");
    int[] points;
    long[] prefixes;
    PeekArrays scope = PeekArrays.open();
    try {
      points = PeekArrays.takeInts(300);
      prefixes = PeekArrays.takePrefixes(points.length);
      assertTrue(points.length >= 300);
      assertTrue(prefixes.length >= points.length);
      int[] other = PeekArrays.takeInts(300);
      assertNotSame(points, other, "two peeked buffers of one read share a point list");
      assertNotSame(prefixes, PeekArrays.takePrefixes(other.length));
      int[] big = PeekArrays.takeInts(PeekArrays.MAX_POINTS + 1);
      assertEquals(PeekArrays.MAX_POINTS + 1, big.length, "past the bound: a fresh list of the length");
      assertEquals(PeekArrays.MAX_POINTS + 1, PeekArrays.takePrefixes(big.length).length);
      points[0] = 7;
      prefixes[0] = 7;
    } finally {
      scope.close();
    }
    if (PeekArrays.class.desiredAssertionStatus()) {
      assertEquals(0x5A5A5A5A, points[0], "a lent point list was not poisoned when its scope closed");
      assertEquals(0x5A5A5A5A5A5A5A5AL, prefixes[0], "lent prefixes were not poisoned when their scope closed");
    }
    scope = PeekArrays.open();
    try {
      int[] again = PeekArrays.takeInts(100);
      assertSame(points, again, "the next read reuses the thread's point lists");
      assertSame(prefixes, PeekArrays.takePrefixes(again.length));
    } finally {
      scope.close();
    }
  }
}
