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

/** The node cache counts the process-wide pools' kept arrays against its budget (NodeStore wires them). */
class PoolsInCacheBudgetTest {
  @Test
  void arenaBlocksKeptByThePoolAreCountedByTheNodeCache() {
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/pools.sap"),
        new Header.Settings(4 << 10, 1 << 10, 4, Compressors.NONE));
    TreeContext ctx = new TreeContext(file, 64L << 20, 4 << 10, 1 << 10, 4, Compressors.NONE,
        MessageApplierTest.resolver(), 0, new Counters());
    long before = BlockPool.heldBytes();
    for (int i = 0; i < 16; i++) {
      BlockPool.give(new byte[ArenaBlocks.BLOCK]);
    }
    long added = BlockPool.heldBytes() - before;
    try {
      assertEquals(Math.min(16L, BlockPool.MAX_BLOCKS - before / ArenaBlocks.BLOCK) * ArenaBlocks.BLOCK, added);
      ctx.cache.evict(); // an eviction run recounts the pools, over budget or not
      // a quarter of the 64 MiB budget is more than the pools can keep (2 + 12 MiB): nothing is cut
      assertEquals(BlockPool.heldBytes() + ArrayPool.keptBytesOfAll(), ctx.cachePooledBytes(),
          "the pools' kept bytes, as the node cache counted them");
      assertTrue(ctx.cachePooledBytes() >= BlockPool.heldBytes() && BlockPool.heldBytes() >= added);
    } finally {
      for (long i = 0; i < added / ArenaBlocks.BLOCK; i++) {
        BlockPool.take(); // the pool holds as many blocks as before this test
      }
    }
  }
}
