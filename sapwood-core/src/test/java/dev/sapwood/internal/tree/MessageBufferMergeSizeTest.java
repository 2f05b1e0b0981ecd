package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/**
 * A buffer made for a merge ({@link MessageBuffer#forMerge}, a consolidation's merge of a leaf's
 * delta) takes every run without growing its point list by copies, and holds what a buffer that
 * grows holds.
 */
class MessageBufferMergeSizeTest {
  private static final int RUN = 3000;

  private static MessageBuffer[] runs() {
    return new MessageBuffer[] {BlockPoolTest.filled("a", RUN, (byte) 1), BlockPoolTest.filled("b", RUN, (byte) 2),
        BlockPoolTest.filled("c", RUN, (byte) 3)};
  }

  /** Bytes this thread allocated merging {@code runs} into {@code into}, the pool holding blocks for it first. */
  private static long mergeAllocation(MessageBuffer into, MessageBuffer[] runs) throws Exception {
    // com.sun.management.ThreadMXBean, found reflectively (the test sources compile inside the
    // module, which does not read jdk.management)
    Method allocatedBytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
    Object mx = ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long before = (long) allocatedBytes.invoke(mx, tid);
    for (MessageBuffer r : runs) {
      into.addSortedRun(r, 0, r.pointCount());
    }
    return (long) allocatedBytes.invoke(mx, tid) - before;
  }

  @Test
  void aBufferMadeForAMergeTakesTheRunsWithoutGrowingItsListsAndHoldsTheSame() throws Exception {
    MessageBuffer[] runs = runs();
    int points = 0;
    long bytes = 0;
    for (MessageBuffer r : runs) {
      points += r.pointCount();
      bytes += r.bytes();
    }
    BlockPoolTest.filled("p", 2 * points, (byte) 9).clear(); // blocks kept for both merges' tails
    MessageBuffer grown = new MessageBuffer();
    long grownBytes = mergeAllocation(grown, runs);
    BlockPoolTest.filled("q", 2 * points, (byte) 9).clear();
    MessageBuffer sized = MessageBuffer.forMerge(points, 0, bytes);
    long sizedBytes = mergeAllocation(sized, runs);
    // The growing list doubles from 8 to 16,384 points: about 384 KiB of int and long arrays
    // copied, against none for the sized one (its lists were made with it).
    assertTrue(grownBytes - sizedBytes > 100_000, // the pool's state moves the blocks part by tens of KiB
        "a merge into a sized buffer allocated " + sizedBytes + " bytes, into a growing one " + grownBytes);
    assertEquals(grown.pointCount(), sized.pointCount());
    assertEquals(3 * RUN, sized.pointCount());
    for (int i = 0; i < sized.pointCount(); i++) {
      assertArrayEquals(grown.copyKey(grown.point(i)), sized.copyKey(sized.point(i)), "point " + i);
      assertArrayEquals(grown.copyValue(grown.point(i)), sized.copyValue(sized.point(i)), "point " + i);
    }
  }
}
