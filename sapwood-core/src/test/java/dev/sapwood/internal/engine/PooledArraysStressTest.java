package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Arrays lent by the pools ({@code tree.BlockPool}'s arena blocks, {@code util.ArrayPool}'s node
 * images, frame lists, parked-image copies and partition scratch) must never be given back while
 * anything can still read them (docs/design.md, "Pooled arrays: who may still hold one"): a
 * pooled array reused under a reader is a wrong answer, silently. This runs everything that takes,
 * reads and gives back pooled arrays at once — writers (puts, deletes, blind updates, batches),
 * readers (gets, forward and backward cursors, snapshot gets and cursors), checkpoints back to back,
 * a busy cleaner, and eviction and parking in a cache far smaller than the data with small nodes —
 * and checks every answer against what the writers did ({@link ConcurrentModelRun}): exactly where
 * the reader can know it, else by the version window and checksum each value carries ({@link
 * VersionedValues}). The tests run with assertions on, so every array given back is poisoned at
 * once: a reader still holding one reads garbage that fails the checks, and a writer still holding
 * one fails the pool's next take. A failure names the seed.
 */
class PooledArraysStressTest {
  /**
   * Nodes with buffers past a 16 KiB block, a heap cache of 256 KiB and a tier of 768 KiB for
   * parking; {@code deltaRatio} 0 turns leaf deltas off, so that every flush into a leaf rebuilds
   * its basements, with its readers reading beside it when the parent was let go.
   */
  static Options options(double deltaRatio) {
    return Options.defaults().nodeSize(64 << 10).basementSize(4 << 10).fanout(4).cacheSize(1 << 20)
        .offHeapCacheShare(0.75).durability(Durability.NONE).checkpointInterval(Duration.ofDays(1))
        .leafDeltaRatio(deltaRatio).register(VersionedValues.BUMP);
  }

  @ParameterizedTest(name = "leaf delta ratio {0}")
  @ValueSource(doubles = {1.0, 0.0})
  void readersWritersCheckpointsCleanerAndEvictionAgreeWithTheModel(double deltaRatio) {
    long seed = Long.getLong("sapwood.pools.seed", System.nanoTime());
    ConcurrentModelRun run = new ConcurrentModelRun(seed, options(deltaRatio), 6_000,
        Integer.getInteger("sapwood.pools.ops", 6_000));
    Stats st = run.execute();
    // The run must have exercised what it is for; these hold for any seed at these sizes.
    assertTrue(st.get("cache.block_pool_reused") > 0, "seed " + seed + ": arena blocks were lent again");
    assertTrue(st.get("cache.parked") > 0 && st.get("cache.unparked") > 0, "seed " + seed + ": nodes were parked and loaded back");
  }

  /** Longer runs and more seeds: {@code -Pstress}; {@code sapwood.stress.runs} seeds (default 8). */
  @Tag("stress")
  @Test
  void manySeedsOfLongerRunsAgreeWithTheModel() {
    long base = Long.getLong("sapwood.stress.seed", System.nanoTime());
    int runs = Integer.getInteger("sapwood.stress.runs", 8);
    System.out.println("PooledArraysStressTest stress base seed=" + base + " runs=" + runs);
    for (int i = 0; i < runs; i++) {
      new ConcurrentModelRun(base + i, options(i % 2 == 0 ? 1.0 : 0.0), 20_000, 40_000).execute();
    }
  }
}
