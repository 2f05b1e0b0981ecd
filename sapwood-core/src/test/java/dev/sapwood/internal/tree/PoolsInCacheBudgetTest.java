package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.ArrayPool;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The node cache counts the process-wide pools' kept arrays against its budget (NodeStore wires
 * them) when the budget is larger than {@link NodeStore#POOLS_UNCOUNTED_BUDGET}, and a smaller one
 * counts none.
 */
class PoolsInCacheBudgetTest {
  private static TreeContext context(String name, long cacheBytes) {
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/" + name + ".sap"),
        new Header.Settings(4 << 10, 1 << 10, 4, Compressors.NONE));
    return new TreeContext(file, cacheBytes, 4 << 10, 1 << 10, 4, Compressors.NONE,
        MessageApplierTest.resolver(), 0, new Counters());
  }

  @Test
  void arenaBlocksKeptByThePoolAreCountedByALargeNodeCacheOnly() {
    TreeContext large = context("large", 64L << 20);
    TreeContext small = context("small", NodeStore.POOLS_UNCOUNTED_BUDGET);
    long before = BlockPool.heldBytes();
    for (int i = 0; i < 16; i++) {
      BlockPool.give(new byte[ArenaBlocks.BLOCK]);
    }
    long added = BlockPool.heldBytes() - before;
    try {
      assertEquals(Math.min(16L, BlockPool.limitBlocks() - before / ArenaBlocks.BLOCK) * ArenaBlocks.BLOCK, added);
      large.cache.evict(); // an eviction run recounts the pools, over budget or not
      small.cache.evict();
      // 64 MiB less the 32 uncounted leaves more than the cap (20 MiB), which is what the pools
      // can keep at most (8 + 12 MiB): nothing is cut
      assertEquals(BlockPool.heldBytes() + ArrayPool.keptBytesOfAll(), large.cachePooledBytes(),
          "the pools' kept bytes, as the node cache counted them");
      assertTrue(large.cachePooledBytes() >= BlockPool.heldBytes() && BlockPool.heldBytes() >= added);
      assertEquals(0, small.cachePooledBytes(), "a budget at the floor counts none of the pools");
    } finally {
      for (long i = 0; i < added / ArenaBlocks.BLOCK; i++) {
        BlockPool.take(); // the pool holds as many blocks as before this test
      }
    }
  }
}
