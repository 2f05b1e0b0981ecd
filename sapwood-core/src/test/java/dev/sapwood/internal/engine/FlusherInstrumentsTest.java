package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The flusher's instruments (TokuFT's flusher status, sled's per-flush latencies) count what
 * happened: each figure is checked against another that must agree with it.
 */
class FlusherInstrumentsTest {
  private final MemoryFileIo io = new MemoryFileIo();
  private final Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
      .cacheSize(256 << 10).durability(Durability.NONE)
      .checkpointInterval(Duration.ofHours(1)).syncInterval(Duration.ofHours(1));

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Stats once two reads 50 ms apart agree on the flush counters (the background went idle). */
  private static Stats quietStats(DatabaseImpl db) throws InterruptedException {
    Stats s = db.stats();
    for (int i = 0; i < 400; i++) {
      Thread.sleep(50);
      Stats next = db.stats();
      if (next.get("flush.total") == s.get("flush.total")
          && next.get("flush.in_memory") + next.get("flush.needed_io")
              == s.get("flush.in_memory") + s.get("flush.needed_io")) {
        return next;
      }
      s = next;
    }
    return s;
  }

  @Test
  void everyFlushIsCountedAsInMemoryOrNeedingIoAndCascadesByCount() throws InterruptedException {
    try (DatabaseImpl db = TestSeams.open(Path.of("/i"), options, io)) {
      Tree t = db.tree("t");
      Random rnd = new Random(15);
      for (int i = 0; i < 30_000; i++) {
        t.put(b("k" + rnd.nextInt(1_000_000)), new byte[40]);
      }
      for (int i = 0; i < 30_000; i += 2) {
        t.delete(b("k" + rnd.nextInt(1_000_000)));
      }
      Stats s = quietStats(db);
      // Every flush by a writer, the background or the cleaner pins its child through the count
      // (draining, by compact below, does not: it visits children with nothing to flush too).
      // Stats are not one atomic snapshot: flush.in_memory and flush.needed_io are read before
      // flush.total, so a flush the background thread pins and counts in between shows in the
      // total only. quietStats waits until the background stopped flushing (on a loaded machine
      // it went on for several flushes after the writes: seen 637 + 1 < 641).
      long pinned = s.get("flush.in_memory") + s.get("flush.needed_io");
      assertTrue(pinned + 1 >= s.get("flush.total") && s.get("flush.total") > 0, s.toString());
      assertTrue(s.get("flush.needed_io") > 0, "a 256 KiB cache cannot hold the tree: " + s);
      db.compact();
      s = db.stats();
      long cascaded = 0;
      for (int i = 1; i <= 5; i++) {
        cascaded += s.get("flush.cascades_" + i);
      }
      cascaded += s.get("flush.cascades_more_than_5");
      assertTrue(cascaded > 0, "a deep tree cascades: " + s);
      assertEquals(0, s.get("merge.leaf_running"), "no merge is running between calls");
      assertTrue(s.get("merge.leaf_completed") <= s.get("merge.leaf_started"), s.toString());
      assertTrue(s.get("merge.leaf_started") > 0, "deletes and compaction merge leaves: " + s);
    }
  }

  @Test
  void theCleanersFiguresAgreeWithEachOther() {
    try (DatabaseImpl db = TestSeams.open(Path.of("/c"), options.cacheSize(64 << 20), io)) {
      Tree t = db.tree("t");
      Random rnd = new Random(16);
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 2000; i++) {
          t.put(b("k" + rnd.nextInt(100_000)), new byte[30]);
        }
        db.clean();
      }
      Stats s = db.stats();
      long flushes = s.get("cleaner.flushes");
      long byHeight = s.get("cleaner.nodes_height_1") + s.get("cleaner.nodes_height_2") + s.get("cleaner.nodes_height_3_or_more");
      assertEquals(flushes, byHeight, s.toString());
      assertTrue(flushes > 0, "heavy buffers are cleaned: " + s);
      assertTrue(s.get("cleaner.buffer_bytes_min") <= s.get("cleaner.buffer_bytes_max"), s.toString());
      assertTrue(s.get("cleaner.buffer_bytes_max") <= s.get("cleaner.buffer_bytes_total"), s.toString());
      assertTrue(s.get("cleaner.buffer_messages_min") <= s.get("cleaner.buffer_messages_max"), s.toString());
      assertTrue(s.get("cleaner.buffer_messages_max") <= s.get("cleaner.buffer_messages_total"), s.toString());
      assertTrue(s.get("cleaner.buffer_messages_total") > 0, s.toString());
      assertTrue(s.get("cleaner.nodes_dirtied") <= flushes, s.toString());
    }
  }

  @Test
  void eachCheckpointAddsItsPhasesToTheTotalsAndTheLargestIsKept() {
    try (DatabaseImpl db = TestSeams.open(Path.of("/p"), options.cacheSize(64 << 20), io)) {
      Tree t = db.tree("t");
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 3000; i++) {
          t.put(b("r" + round + "k" + i), new byte[100]);
        }
        db.checkpoint();
      }
      Stats s = db.stats();
      for (String phase : new String[] {"wait", "serialize", "storage"}) {
        long total = s.get("checkpoint.phase_" + phase + "_micros_total");
        long max = s.get("checkpoint.phase_" + phase + "_micros_max");
        assertTrue(max <= total, phase + ": " + s);
      }
      assertTrue(s.get("checkpoint.phase_serialize_micros_total") > 0, "nodes were encoded: " + s);
      assertTrue(s.get("checkpoint.phase_storage_micros_total") > 0, "nodes were written: " + s);
    }
  }
}
