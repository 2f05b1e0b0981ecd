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
 * A root released with the known growth of its buffers ({@link RootLatch#release}, no re-measure)
 * is accounted at exactly what a full measure finds, after every put, delete, update and range
 * delete of a random mix in a small cache (flushes, splits, evictions and partitions fetched back
 * between them), and so is every other cached node at the end.
 */
class RootGrowthAccountingTest {
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theRootsAccountedBytesEqualAFullMeasureAfterEveryChange() {
    long seed = System.nanoTime();
    System.out.println("RootGrowthAccountingTest seed " + seed);
    Random rnd = new Random(seed);
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/growth.sap"),
        new Header.Settings(16 << 10, 2 << 10, 4, Compressors.LZ4));
    TreeContext ctx = new TreeContext(file, 1 << 20, 16 << 10, 2 << 10, 4, Compressors.LZ4, BUILT_INS, 0,
        new Counters());
    long root = BeTree.create(ctx);
    BeTree tree = new BeTree(ctx, root);
    byte[] add = dev.sapwood.UpdateFunctions.ADD_LONG.name().getBytes(StandardCharsets.UTF_8);
    int checked = 0;
    for (int i = 0; i < 20_000; i++) {
      int k = rnd.nextInt(5_000);
      int op = rnd.nextInt(20);
      if (op < 14) {
        byte[] v = new byte[rnd.nextInt(120)];
        rnd.nextBytes(v);
        tree.put(key(k), v);
      } else if (op < 17) {
        tree.delete(key(k));
      } else if (op < 19) {
        tree.update(key(k), add, dev.sapwood.UpdateFunctions.fromLong(1));
      } else {
        tree.deleteRange(key(k), key(k + 1 + rnd.nextInt(20)));
      }
      Node r = ctx.cache.pinRead(root);
      try {
        assertEquals(r.memoryBytes(), ctx.cache.accountedBytes(r), "root after change " + i + ", seed " + seed);
      } finally {
        ctx.cache.unpinRead(r);
      }
      checked++;
    }
    assertTrue(ctx.counters.registry.value("flush.total") > 0, "the root was flushed meanwhile");
    ctx.cache.forEach(n -> assertEquals(n.memoryBytes(), ctx.cache.accountedBytes(n), "node " + n.key()));
    assertEquals(20_000, checked);
  }
}
