package dev.sapwood.internal.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A pool of arrays lent and given back: whichever thread takes next gets a kept array (the
 * smallest that fits), poisoned with assertions on; what it keeps is bounded in count and size.
 */
class ArrayPoolTest {
  @Test
  void anArrayGivenBackIsLentAgainPoisonedToTheNextTakerOfAnyThread() throws Exception {
    ArrayPool pool = new ArrayPool(1 << 10, 1 << 20, 2, 4 << 20);
    byte[] a = pool.take(100_000);
    assertTrue(a.length >= 100_000);
    java.util.Arrays.fill(a, (byte) 7);
    pool.give(a);
    byte[][] got = new byte[1][];
    Thread t = new Thread(() -> got[0] = pool.take(90_000));
    t.start();
    t.join();
    assertSame(a, got[0], "another thread takes the array given back");
    if (ArrayPool.class.desiredAssertionStatus()) {
      for (byte x : got[0]) {
        assertEquals(ArrayPool.POISON, x, "a lent array holds none of its last user's bytes");
      }
    }
    assertEquals(1, pool.freshArrays(), "only the first take made an array");
  }

  @Test
  void anArrayGivenBackIsPoisonedAtOnceWhetherItIsKeptOrNot() {
    assertTrue(ArrayPool.class.desiredAssertionStatus(), "the tests run with assertions (poisoning on)");
    ArrayPool pool = new ArrayPool(1 << 10, 1 << 16, 1, 1 << 16);
    byte[] kept = pool.take(10_000);
    byte[] dropped = pool.take(10_000);
    java.util.Arrays.fill(kept, (byte) 1);
    java.util.Arrays.fill(dropped, (byte) 2);
    byte[] tooLarge = new byte[(1 << 16) + 1];
    java.util.Arrays.fill(tooLarge, (byte) 3);
    pool.give(kept);
    pool.give(dropped); // the pool keeps one: this one is left to the collector
    pool.give(tooLarge);
    for (byte[] a : new byte[][] {kept, dropped, tooLarge}) {
      for (byte x : a) {
        assertEquals(ArrayPool.POISON, x, "a holder that kept reading it reads poison before anyone takes it again");
      }
    }
  }

  @Test
  void anArrayWrittenAfterItWasGivenBackFailsTheNextTake() {
    ArrayPool pool = new ArrayPool(1 << 10, 1 << 16, 2, 1 << 17);
    byte[] a = pool.take(5_000);
    pool.give(a);
    a[4_321] = 9; // a former holder writes into the kept array
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> pool.take(5_000));
    assertTrue(e.getMessage().contains("written after it was given back"), e.getMessage());
  }

  @Test
  void filledWithFindsOneOtherByteAnywhere() {
    for (int len : new int[] {0, 1, 2, 3, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100, 4095, 4096, 4097, 70_001}) {
      byte[] a = new byte[len];
      java.util.Arrays.fill(a, ArrayPool.POISON);
      assertTrue(ArrayPool.filledWith(a, ArrayPool.POISON), "all poison, length " + len);
      // every place in short arrays; in long ones the ends of the stretches compared at once
      java.util.TreeSet<Integer> places = new java.util.TreeSet<>();
      for (int i = 0; i < len; i++) {
        if (len <= 130 || i == len - 1 || Integer.bitCount(i) == 1 || Integer.bitCount(i + 1) == 1
            || Integer.bitCount(i - 1) == 1) {
          places.add(i);
        }
      }
      for (int i : places) {
        a[i] = (byte) (ArrayPool.POISON + 1);
        final int at = i;
        assertFalse(ArrayPool.filledWith(a, ArrayPool.POISON), () -> "one other byte at " + at + " of " + len);
        a[i] = ArrayPool.POISON;
      }
      if (len > 0) {
        assertFalse(ArrayPool.filledWith(a, (byte) 0), "another value, length " + len);
      }
    }
  }

  @Test
  void theSmallestKeptArrayThatFitsIsLentAndTheKeptAreBounded() {
    ArrayPool pool = new ArrayPool(1 << 10, 1 << 20, 2, 4 << 20);
    byte[] small = pool.take(2_000);
    byte[] large = pool.take(500_000);
    byte[] mid = pool.take(50_000);
    pool.give(small);
    pool.give(large);
    assertEquals(small.length + large.length, pool.keptBytes());
    pool.give(mid); // full: it replaces the smallest kept
    assertEquals(mid.length + large.length, pool.keptBytes(), "two kept: the larger ones");
    assertSame(mid, pool.take(10_000), "the smallest that fits");
    assertSame(large, pool.take(10_000));
    assertNotSame(small, pool.take(10_000), "an empty pool makes a new array");
    pool.give(new byte[(1 << 20) + 1]);
    assertEquals(0, pool.keptBytes(), "an array past the limit is not kept");
    assertEquals((1 << 20) + 5, pool.take((1 << 20) + 5).length, "a request past the limit gets its size");
  }

  @Test
  void theKeptBytesStayWithinTheBoundAndAreCountedProcessWide() {
    ArrayPool pool = new ArrayPool(1 << 10, 1 << 20, 4, 100_000);
    byte[] a = new byte[60_000];
    byte[] b = new byte[50_000];
    byte[] c = new byte[70_000];
    pool.give(a);
    pool.give(b); // 110,000 would pass the bound; 50,000 is not larger than the kept 60,000
    assertEquals(60_000, pool.keptBytes());
    pool.give(c); // in place of the smallest: 70,000
    assertEquals(70_000, pool.keptBytes());
    pool.give(new byte[200_000]);
    assertEquals(70_000, pool.keptBytes(), "an array larger than the whole bound is not kept");
    assertTrue(ArrayPool.keptBytesOfAll() >= 70_000, "the process-wide figure counts it");
    assertSame(c, pool.take(1));
    assertEquals(0, pool.keptBytes());
  }

  @Test
  void threadsTakingAtOnceGetDistinctArraysAndThePoolKeepsAtMostItsCount() throws Exception {
    ArrayPool pool = new ArrayPool(1 << 10, 1 << 16, 3, 3 << 16);
    int threads = 6;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < threads; i++) {
      byte tag = (byte) (i + 1);
      Thread t = new Thread(() -> {
        try {
          start.await();
          for (int k = 0; k < 2_000; k++) {
            byte[] a = pool.take(1 + (k * 31 + tag) % 60_000);
            java.util.Arrays.fill(a, tag);
            Thread.yield();
            for (byte x : a) {
              if (x != tag) {
                throw new AssertionError("an array lent to two takers at once");
              }
            }
            pool.give(a);
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      ts.add(t);
      t.start();
    }
    start.countDown();
    for (Thread t : ts) {
      t.join();
    }
    assertTrue(failures.isEmpty(), () -> failures.get(0).toString());
    assertTrue(pool.keptBytes() <= 3L << 16, "kept " + pool.keptBytes());
  }
}
