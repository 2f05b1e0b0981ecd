package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Arena blocks reused across buffers ({@code tree.BlockPool}) and scratch arrays reused across
 * node images: a random load of puts, deletes and overwrites over nodes large enough that buffers
 * grow past their head into blocks, a heap cache too small for the internal level (so dirty
 * internal nodes are parked, loaded back and written by checkpoints) and the background flusher
 * on, reads back exactly as a sorted map says, by get and by cursor, at intervals, after a
 * checkpoint and after a reopen. The tests run with assertions on, so every block given back is
 * poisoned: a buffer, node image or reader that kept one would read garbage here.
 */
class BlockReuseModelTest {
  private static final Path DIR = Path.of("/db");

  private static Options options() {
    return Options.defaults().nodeSize(128 << 10).basementSize(8 << 10).fanout(4).cacheSize(3 << 20)
        .offHeapCacheShare(0.75).checkpointInterval(Duration.ofDays(1));
  }

  @Test
  void randomPutsFlushesAndParksReadBackAsTheModelSaysWithBlocksReused() {
    long seed = new Random().nextLong();
    System.out.println("BlockReuseModelTest seed " + seed);
    Random r = new Random(seed);
    TreeMap<byte[], byte[]> model = RandomPutDeletes.newModel();
    MemoryFileIo mem = new MemoryFileIo();
    long reusedBefore = dev.sapwood.internal.tree.TreeContext.blockPoolFigures()[1];
    try (DatabaseImpl db = TestSeams.open(DIR, options(), mem)) {
      Tree t = db.tree("t");
      new RandomPutDeletes(12, 20, 150, 8).run(t, model, r, 20_000, 60_000, 20_000, "seed " + seed);
      Stats st = db.stats();
      System.out.println("BlockReuseModelTest: blocks reused " + (st.get("cache.block_pool_reused") - reusedBefore)
          + ", parked " + st.get("cache.parked") + ", unparked " + st.get("cache.unparked"));
      assertTrue(st.get("cache.block_pool_reused") > reusedBefore, "the load reused arena blocks");
      assertTrue(st.get("cache.parked") > 0, "the load parked dirty internal nodes");
      assertTrue(st.get("cache.block_pool_bytes") <= 8L << 20, "the pool keeps at most 8 MiB");
      db.checkpoint();
      RandomPutDeletes.check(t, model, "seed " + seed + " after a checkpoint");
    }
    try (DatabaseImpl again = TestSeams.open(DIR, options(), mem)) {
      RandomPutDeletes.check(again.tree("t"), model, "seed " + seed + " after a reopen");
    }
  }
}
