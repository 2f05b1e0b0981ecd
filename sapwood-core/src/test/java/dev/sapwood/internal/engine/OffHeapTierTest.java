package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The off-heap tier of frames inside a database: nodes rewritten again and again, with checkpoints
 * between rounds so their old extents are freed and reused, are always read back as last written
 * (a frame cached under the place it had in the file would be served stale: a wrong answer); the
 * tier is used, stays within its share of the cache, and its memory is let go at close.
 */
class OffHeapTierTest {
  private static final Path DIR = Path.of("/db");
  private static final int KEYS = 1600;

  private static Options options(double share) {
    return Options.defaults().nodeSize(8 << 10).basementSize(1 << 10).fanout(4).cacheSize(512 << 10)
        .offHeapCacheShare(share).leafDeltaRatio(0).checkpointInterval(Duration.ofDays(1));
  }

  private static byte[] key(int i) {
    return String.format("k%06d", i).getBytes();
  }

  /** The value of key {@code k} in round {@code round}: same length every round, different bytes. */
  private static byte[] value(int round, int k) {
    byte[] v = new byte[200]; // 1600 keys: about 320 KiB, beyond the 256 KiB heap share
    new Random(round * 1_000_003L + k).nextBytes(v);
    java.util.Arrays.fill(v, 100, 200, (byte) round); // half compresses
    return v;
  }

  @Test
  void rewrittenNodesInReusedExtentsAreNeverReadStale() throws Exception {
    long seed = System.nanoTime();
    System.out.println("OffHeapTierTest seed " + seed);
    Random r = new Random(seed);
    MemoryFileIo mem = new MemoryFileIo();
    DatabaseImpl db = TestSeams.open(DIR, options(0.5), mem);
    FrameCache tier = db.treeContext().frameCache();
    assertNotNull(tier, "a 512 KiB cache at share 0.5 has a tier");
    try {
      Tree t = db.tree("t");
      long reusedBefore = 0;
      for (int round = 0; round < 8; round++) {
        for (int k = 0; k < KEYS; k++) {
          t.put(key(k), value(round, k));
        }
        db.checkpoint(); // frees the extents the round's writes replaced; the next round reuses them
        db.checkpoint();
        for (int i = 0; i < KEYS; i++) {
          int k = r.nextInt(KEYS);
          assertArrayEquals(value(round, k), t.get(key(k)), "seed " + seed + " round " + round + " key " + k);
        }
        if (round == 0) {
          reusedBefore = db.stats().get("io.bytes_written");
        }
      }
      Stats st = db.stats();
      assertTrue(st.get("cache.offheap_misses") > 0, "reads missed the heap cache");
      assertTrue(st.get("cache.offheap_hits") > 0, "reads were served by the tier: " + st.get("cache.offheap_hits"));
      assertTrue(st.get("cache.offheap_evictions") > 0, "the tier turned over");
      assertTrue(st.get("cache.offheap_bytes") > 0 && st.get("cache.offheap_bytes") <= st.get("cache.offheap_budget_bytes"));
      assertEquals((512 << 10) - st.get("cache.offheap_budget_bytes"), st.get("cache.budget_bytes"), "the budget is split");
      assertTrue(st.get("cache.offheap_index_bytes") > 0, "the tier's index is in the stats");
      assertTrue(st.get("cache.used_bytes") >= st.get("cache.offheap_index_bytes"), "and counted in the heap cache's use");
      long fileBytes = 0;
      for (Path f : mem.list(DIR)) {
        try (dev.sapwood.internal.io.IoFile io = mem.openReadOnly(f)) {
          fileBytes = Math.max(fileBytes, io.size());
        }
      }
      System.out.println("OffHeapTierTest: tier hits " + st.get("cache.offheap_hits") + ", misses "
          + st.get("cache.offheap_misses") + ", evictions " + st.get("cache.offheap_evictions"));
      assertTrue(st.get("io.bytes_written") - reusedBefore > fileBytes, (st.get("io.bytes_written") - reusedBefore) + " bytes written to a file of " + fileBytes + ": "
          + "later rounds wrote more than the file holds, so extents were reused");
    } finally {
      db.close();
    }
    assertEquals(0, tier.allocatedBytes(), "the tier's memory is let go at close");
  }

  @Test
  void shareZeroHasNoTier() {
    DatabaseImpl db = TestSeams.open(DIR, options(0), new MemoryFileIo());
    try {
      assertNull(db.treeContext().frameCache());
      assertEquals(512 << 10, db.stats().get("cache.budget_bytes"));
      assertEquals(0, db.stats().get("cache.offheap_bytes"));
    } finally {
      db.close();
    }
  }
}
