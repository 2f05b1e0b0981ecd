package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Arena blocks a cleared buffer gives back are lent to the next buffer that grows a tail, hold
 * none of the old buffer's bytes once given back (tests run with assertions, which poison them),
 * and the pool keeps no more than its bound.
 */
class BlockPoolTest {
  static List<byte[]> blocksOf(MessageBuffer buf) {
    Set<byte[]> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < buf.pointCount(); i++) {
      byte[] a = buf.arena(buf.point(i));
      if (a.length == MessageArena.BLOCK && seen.add(a)) {
        out.add(a);
      }
    }
    return out;
  }

  static MessageBuffer filled(String prefix, int n, byte fill) {
    MessageBuffer buf = new MessageBuffer();
    byte[] v = new byte[100];
    java.util.Arrays.fill(v, fill);
    for (int i = 0; i < n; i++) {
      byte[] k = String.format("%s%08d", prefix, i).getBytes();
      buf.add(MessageType.PUT, i + 1, k, 0, k.length, v, 0, v.length, null);
    }
    return buf;
  }

  @Test
  void aClearedBuffersBlocksArePoisonedAndLentToTheNextBufferThatGrowsATail() {
    assertTrue(BlockPool.class.desiredAssertionStatus(), "the tests run with assertions (poisoning on)");
    MessageBuffer a = filled("a", 2000, (byte) 1);
    assertTrue(a.hasTail(), "2000 records of 123 bytes reach past the head");
    List<byte[]> given = blocksOf(a);
    assertTrue(given.size() >= 10, "blocks held: " + given.size());
    long reusedBefore = BlockPool.reusedBlocks();
    a.clear();
    for (byte[] b : given) {
      for (byte x : b) {
        assertEquals(BlockPool.POISON, x, "a block given back holds none of the cleared buffer's bytes");
      }
    }
    MessageBuffer b = filled("b", 2000, (byte) 2);
    Set<byte[]> old = Collections.newSetFromMap(new IdentityHashMap<>());
    old.addAll(given);
    long again = blocksOf(b).stream().filter(old::contains).count();
    assertTrue(again > 0, "the next buffer's tail took blocks the cleared one gave back");
    assertTrue(BlockPool.reusedBlocks() - reusedBefore >= again, "the reuses are counted");
    byte[] v = new byte[100];
    java.util.Arrays.fill(v, (byte) 2);
    for (int i = 0; i < 2000; i++) {
      assertArrayEquals(String.format("b%08d", i).getBytes(), b.copyKey(b.point(i)));
      assertArrayEquals(v, b.copyValue(b.point(i)), "record " + i + " of the buffer that reused the blocks");
    }
  }

  @Test
  void aCompactionGivesTheOldBlocksBackAndKeepsEveryLiveRecord() {
    MessageBuffer buf = filled("c", 1500, (byte) 3);
    List<byte[]> before = blocksOf(buf);
    buf.compact(0);
    Set<byte[]> now = Collections.newSetFromMap(new IdentityHashMap<>());
    now.addAll(blocksOf(buf));
    for (byte[] b : before) {
      assertTrue(!now.contains(b), "the compacted arena holds none of the old blocks");
      assertEquals(BlockPool.POISON, b[0], "an old block was given back (poisoned)");
    }
    for (int i = 0; i < 1500; i++) {
      assertArrayEquals(String.format("c%08d", i).getBytes(), buf.copyKey(buf.point(i)));
    }
  }

  @Test
  void aClearedBuffersHeadOfAnotherSizeIsPoisonedAsItIsDropped() {
    byte[] head = new byte[9_000];
    java.util.Arrays.fill(head, (byte) 4);
    MessageBuffer buf = MessageBuffer.over(head); // a fetched buffer's arena, not a block
    buf.clear();
    for (byte x : head) {
      assertEquals(BlockPool.POISON, x, "a reader that kept the dropped head reads poison, not the old records");
    }
  }

  @Test
  void aBlockWrittenAfterItWasGivenBackFailsTheNextTake() {
    byte[] b = new byte[MessageArena.BLOCK];
    BlockPool.give(b);
    b[1234] = 7; // a former holder writes into the kept block
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, BlockPool::take);
    assertTrue(e.getMessage().contains("written after it was given back"), e.getMessage());
  }

  @Test
  void thePoolKeepsAtMostItsBoundAndDropsWhatIsNotABlock() {
    int bound = BlockPool.limitBlocks();
    List<byte[]> mine = new ArrayList<>();
    for (int i = 0; i < 2 * bound; i++) {
      byte[] b = new byte[MessageArena.BLOCK];
      mine.add(b);
      BlockPool.give(b);
      assertTrue(BlockPool.heldBytes() <= (long) bound * MessageArena.BLOCK, "held " + BlockPool.heldBytes());
    }
    assertEquals((long) bound * MessageArena.BLOCK, BlockPool.heldBytes(), "a full pool");
    BlockPool.give(new byte[MessageArena.BLOCK + 1]);
    BlockPool.give(new byte[64]);
    assertEquals((long) bound * MessageArena.BLOCK, BlockPool.heldBytes());
    Set<byte[]> taken = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < bound; i++) {
      byte[] b = BlockPool.take();
      assertEquals(MessageArena.BLOCK, b.length);
      assertTrue(taken.add(b), "a block is lent once");
    }
    assertEquals(0, BlockPool.heldBytes(), "every kept block was lent");
    assertTrue(BlockPool.take() != null, "an empty pool makes a new block");
  }

  @Test
  void randomBuffersClearedAndRefilledReadBackTheirOwnRecordsOnly() {
    long seed = new Random().nextLong();
    System.out.println("BlockPoolTest seed " + seed);
    Random rnd = new Random(seed);
    MessageBuffer[] bufs = new MessageBuffer[6];
    int[] counts = new int[bufs.length];
    byte[] tags = new byte[bufs.length];
    for (int i = 0; i < bufs.length; i++) {
      bufs[i] = new MessageBuffer();
    }
    for (int step = 0; step < 3000; step++) {
      int i = rnd.nextInt(bufs.length);
      if (rnd.nextInt(40) == 0) {
        bufs[i].clear();
        counts[i] = 0;
        tags[i] = (byte) rnd.nextInt(100);
      } else {
        byte[] k = String.format("k%08d", counts[i]).getBytes();
        byte[] v = new byte[1 + rnd.nextInt(400)];
        java.util.Arrays.fill(v, (byte) (tags[i] + i));
        bufs[i].add(MessageType.PUT, step + 1, k, 0, k.length, v, 0, v.length, null);
        counts[i]++;
      }
      if (step % 250 == 0 || step == 2999) {
        for (int j = 0; j < bufs.length; j++) {
          assertEquals(counts[j], bufs[j].pointCount(), "seed " + seed + " buffer " + j);
          for (int p = 0; p < counts[j]; p++) {
            int rec = bufs[j].point(p);
            byte[] v = bufs[j].copyValue(rec);
            for (byte x : v) {
              assertEquals((byte) (tags[j] + j), x, "seed " + seed + " step " + step + " buffer " + j + " record " + p);
            }
          }
        }
      }
    }
  }

  @Test
  void aLargeHeapCacheRaisesTheBoundToAnEighthOfItUpToEightMebibytesAndNothingLowersIt() {
    BlockPool.allowFor(64L << 20);
    assertEquals(BlockPool.MAX_BLOCKS, BlockPool.limitBlocks(), "an eighth of 64 MiB: 8 MiB");
    assertEquals(8L << 20, (long) BlockPool.MAX_BLOCKS * MessageArena.BLOCK);
    BlockPool.allowFor(1L << 30);
    assertEquals(BlockPool.MAX_BLOCKS, BlockPool.limitBlocks(), "never more than 8 MiB");
    BlockPool.allowFor(1L << 20);
    assertEquals(BlockPool.MAX_BLOCKS, BlockPool.limitBlocks(), "a small cache opened later does not lower it");
  }
}
