package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.tree.PlainImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parked images reach the file with the buffer filters a node written from the heap has
 * ({@code tree.ParkedFilters}): a random load over a tree whose internal level does not fit the
 * heap cache parks dirty internal nodes (without filters), spills some, and a checkpoint writes the
 * rest; every internal node in the file is then byte for byte the plain image of what it holds
 * (its filters those a node written from memory gets), and after a reopen every get answers as the
 * model does, for present and absent keys.
 */
class ParkedFiltersModelTest {
  private static final Path DIR = CrashSweeps.DIR;

  private static Options options() {
    return Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4).cacheSize(192 << 10)
        .offHeapCacheShare(0.67).syncInterval(Duration.ofHours(1)).checkpointInterval(Duration.ofDays(1));
  }

  private static byte[] key(int i) {
    return String.format("key%07d", i * 7919 % 1_000_003).getBytes();
  }

  @Test
  void parkedImagesReachTheFileAsPlainImagesAndEveryGetAgreesAfterReopen(@TempDir Path scratch) throws IOException {
    long seed = new Random().nextLong();
    System.out.println("ParkedFiltersModelTest seed " + seed);
    Random r = new Random(seed);
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    MemoryFileIo mem = CrashSweeps.created(options());
    Stats st;
    try (DatabaseImpl db = TestSeams.open(DIR, options(), mem)) {
      Tree t = db.tree("t");
      for (int step = 0; step < 12_000; step++) {
        byte[] k = key(r.nextInt(8_000));
        if (r.nextInt(8) == 0) {
          t.delete(k);
          model.remove(k);
        } else {
          byte[] v = new byte[20 + r.nextInt(50)];
          r.nextBytes(v);
          t.put(k, v);
          model.put(k, v);
        }
      }
      long parkedBefore = db.stats().get("cache.parked_nodes");
      long writesBefore = db.stats().get("cache.parked_checkpoint_writes");
      db.checkpoint();
      st = db.stats();
      assertTrue(parkedBefore > 0, "nodes were parked at the checkpoint: " + st);
      assertTrue(st.get("cache.parked_checkpoint_writes") > writesBefore, "the checkpoint wrote parked images: " + st);
    }
    System.out.println("ParkedFiltersModelTest: parked " + st.get("cache.parked") + ", spills " + st.get("cache.parked_spills")
        + ", checkpoint writes " + st.get("cache.parked_checkpoint_writes") + ", filters built "
        + st.get("node_write.buffer_filters_built") + " over " + st.get("node_write.buffer_filter_keys") + " keys");
    assertTrue(st.get("cache.parked_spills") > 0, "the parked memory spilled: " + st);
    assertTrue(st.get("node_write.buffer_filters_built") > 0, "filters were built: " + st);

    Path copy = Files.createTempDirectory(scratch, "db");
    for (Path p : mem.list(DIR)) {
      if (mem.isPresent(p)) {
        Files.write(copy.resolve(p.getFileName().toString()), mem.contents(p));
      }
    }
    try (Inspection db = Inspection.open(copy)) {
      int checked = PlainImages.check(db.file(), db.roots().get("t"), "seed " + seed);
      assertTrue(checked > 10, "internal nodes checked: " + checked);
    }

    try (Database db = TestSeams.open(DIR, options(), mem)) {
      Tree t = db.tree("t");
      for (int i = 0; i < 8_000; i++) {
        byte[] k = key(i);
        assertArrayEquals(model.get(k), t.get(k), "seed " + seed + ": key " + i);
      }
      for (int i = 0; i < 2_000; i++) {
        assertNull(t.get(("absent" + i).getBytes()), "seed " + seed + ": absent key " + i);
      }
      Stats after = db.stats();
      System.out.println("ParkedFiltersModelTest: after reopen, filter skips " + after.get("cache.buffer_filter_skips")
          + ", passes " + after.get("cache.buffer_filter_passes"));
    }
  }
}
