package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Parents of leaves brought into memory by a flush are parked again right after it ({@code
 * tree.FlushParking}) when dirty nodes can be parked and the heap cache has no room: a random load
 * over a tree whose level above the leaves does not fit the heap cache parks them so, and every
 * key reads back as the model says, by get and by cursor, before and after a checkpoint and a
 * reopen; without a tier nothing is parked.
 */
class FlushParkingTest {
  private static final Path DIR = Path.of("/db");

  private static Options options(double share) {
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(832 << 10)
        .offHeapCacheShare(share).checkpointInterval(Duration.ofDays(1));
  }

  /** Runs random puts and deletes over {@code keys} keys; returns the parks after flushes. */
  private static long run(double share, int keys, int steps) {
    Random r = new Random(20261202L);
    TreeMap<byte[], byte[]> model = RandomPutDeletes.newModel();
    MemoryFileIo mem = new MemoryFileIo();
    DatabaseImpl db = TestSeams.open(DIR, options(share), mem);
    FrameCache tier = db.treeContext().frameCache();
    long parked;
    try {
      Tree t = db.tree("t");
      new RandomPutDeletes(10, 30, 40, 10).run(t, model, r, keys, steps, 5_000, "share " + share);
      Stats st = db.stats();
      parked = st.get("cache.parked_after_flush");
      System.out.println("FlushParkingTest share " + share + ": parked after flushes " + parked + ", parked "
          + st.get("cache.parked") + ", unparked " + st.get("cache.unparked") + ", flushes needing I/O " + st.get("flush.needed_io"));
      assertTrue(parked <= st.get("cache.parked"), "parks after flushes are parks");
      db.checkpoint();
      RandomPutDeletes.check(t, model, "after a checkpoint");
    } finally {
      db.close();
    }
    if (tier != null) {
      assertEquals(0, tier.allocatedBytes(), "the tier's memory is let go at close");
    }
    try (DatabaseImpl again = TestSeams.open(DIR, options(share), mem)) {
      RandomPutDeletes.check(again.tree("t"), model, "after a reopen");
    }
    return parked;
  }

  @Test
  void parentsOfLeavesAFlushBroughtInAreParkedAfterItAndEveryKeyReadsBack() {
    assertTrue(run(0.9, 6_000, 30_000) > 0, "flushes into parents of leaves brought in from their images parked them again");
  }

  @Test
  void withoutATierNothingIsParked() {
    assertEquals(0, run(0, 6_000, 10_000));
  }
}
