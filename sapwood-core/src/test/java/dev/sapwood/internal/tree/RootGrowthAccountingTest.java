package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A root released after point inserts is accounted by the growth of the buffers the inserts went
 * into ({@link RootLatch}), not by a walk over every partition: the cache's count of every node
 * stays exactly its memory through puts, deletes, updates a hot key folds, range messages (measured
 * whole), root flushes and partitions evicted between latches. A growth that missed a fold, an
 * arena block or an index array would leave the root's count off here.
 */
class RootGrowthAccountingTest {
  private static final int NODE = 8 << 10;
  private static final byte[] ADD = UpdateFunctions.ADD_LONG.name().getBytes(StandardCharsets.UTF_8);

  @Test
  void everyNodeIsAccountedAtItsMemoryAfterEachRelease() {
    long seed = System.nanoTime();
    System.out.println("RootGrowthAccountingTest seed " + seed);
    Random rnd = new Random(seed);
    for (long cache : new long[] {64L << 20, 48L << 10}) {
      Counters counters = new Counters();
      BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/grow" + cache + ".sap"),
          new Header.Settings(NODE, 1 << 10, 4, Compressors.NONE));
      TreeContext ctx = new TreeContext(file, cache, NODE, 1 << 10, 4, Compressors.NONE,
          MessageApplierTest.resolver(), 0, counters);
      BeTree tree = new BeTree(ctx, BeTree.create(ctx));
      for (int i = 0; i < 6_000; i++) {
        int k = rnd.nextInt(i % 500 < 250 ? 40 : 4_000); // stretches on a few hot keys: folds
        byte[] key = String.format("k%06d", k).getBytes(StandardCharsets.UTF_8);
        int op = rnd.nextInt(100);
        if (op < 55) {
          tree.put(key, new byte[10 + rnd.nextInt(120)]);
        } else if (op < 85) {
          tree.update(key, ADD, UpdateFunctions.fromLong(1));
        } else if (op < 98) {
          tree.delete(key);
        } else {
          byte[] to = String.format("k%06d", k + 5).getBytes(StandardCharsets.UTF_8);
          tree.deleteRange(key, to);
        }
        if (i % 50 == 0) {
          assertExact(ctx, "after op " + i + " (seed " + seed + ")");
        }
      }
      assertExact(ctx, "at the end (seed " + seed + ")");
      assertTrue(counters.counter("flush.total").sum() > 0, "the root never flushed");
      if (cache < 1 << 20) {
        assertTrue(counters.counter("cache.evictions").sum() > 0, "the small cache evicted nothing");
      }
    }
  }

  private static void assertExact(TreeContext ctx, String when) {
    long[] sum = {0};
    ctx.cache.forEach(n -> {
      assertEquals(n.memoryBytes(), ctx.cache.accountedBytes(n), "node " + n.key() + " at height " + n.height + " " + when);
      sum[0] += n.memoryBytes();
    });
    assertEquals(sum[0], ctx.cache.usedBytes(), when);
  }
}
