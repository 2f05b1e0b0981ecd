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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Clock runs are handed to a background thread ({@link Background#submitEviction}); when that
 * thread never runs them (stalled), the writer runs the clock itself once the cache is a quarter
 * over budget, so after every put the cache holds at most a quarter more than its budget (the
 * documented slack: {@code cache.Eviction}), and every key reads back.
 */
class StalledEvictorBoundTest {
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();

  @Test
  void withTheEvictorStalledTheWriterKeepsTheCacheWithinAQuarterOverBudget() {
    long seed = System.nanoTime();
    System.out.println("StalledEvictorBoundTest seed " + seed);
    Random rnd = new Random(seed);
    long budget = 1 << 20;
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/stalled.sap"),
        new Header.Settings(16 << 10, 2 << 10, 4, Compressors.LZ4));
    Counters counters = new Counters();
    TreeContext ctx = new TreeContext(file, budget, 16 << 10, 2 << 10, 4, Compressors.LZ4, BUILT_INS, 0, counters);
    List<Runnable> stalled = new ArrayList<>();
    ctx.setBackground(new Background() {
      @Override
      public boolean submit(Runnable task) {
        return false; // root flushes: the writer's own
      }

      @Override
      public boolean submitEviction(Runnable task) {
        stalled.add(task); // taken, never run
        return true;
      }
    });
    BeTree tree = new BeTree(ctx, BeTree.create(ctx));
    int n = 30_000;
    long peak = 0;
    for (int i = 0; i < n; i++) {
      int k = rnd.nextInt(n);
      byte[] v = new byte[60 + rnd.nextInt(80)];
      v[0] = (byte) k;
      tree.put(key(k), v);
      long used = ctx.cache.usedBytes();
      peak = Math.max(peak, used);
      assertTrue(used <= budget + budget / 4, "put " + i + ": the cache holds " + used + " of " + budget
          + ", seed " + seed);
    }
    assertEquals(1, stalled.size(), "one clock run was handed over and never ran");
    assertTrue(peak > budget, "the puts ran the cache over its budget: peak " + peak);
    assertTrue(counters.snapshot().get("cache.evicted_dirty_writes") > 0, "the writer wrote dirty nodes back itself");
    for (int k = 0; k < n; k += 97) {
      byte[] v = tree.get(key(k));
      assertTrue(v == null || v[0] == (byte) k, "key " + k + ", seed " + seed);
    }
  }

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }
}
