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
}
