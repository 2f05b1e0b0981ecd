package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values larger than a node, through the whole engine: written with default options, read back
 * from disk through a cache smaller than one of them, at a node-bytes cost near the bytes put.
 */
class LargeValueTest {
  @TempDir Path dir;

  @Test
  void valuesLargerThanANodeAreWrittenOnceOrTwiceAndReadBackFromDisk() {
    long seed = 1500;
    Random rnd = new Random(seed);
    TreeMap<byte[], byte[]> model = TestUtil.newModel();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      order.add(i);
    }
    Collections.shuffle(order, rnd);
    long user = 0;
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("big");
      for (int n = 0; n < order.size(); n++) {
        byte[] k = String.format("key%03d", order.get(n)).getBytes(StandardCharsets.US_ASCII);
        byte[] v = new byte[1_500_000 + rnd.nextInt(500_000)];
        rnd.nextBytes(v);
        t.put(k, v);
        model.put(k, v);
        user += k.length + v.length;
        if (n % 6 == 5) {
          db.checkpoint();
        }
      }
      db.checkpoint();
      long written = db.stats().get("node.bytes_written");
      // before leaves split around such values, each checkpoint rewrote one ever larger leaf (3.3x here)
      System.out.println("LargeValueTest: node bytes / put = " + (double) written / user);
      assertTrue(written <= 2.5 * user, "seed " + seed + ": " + written + " node bytes written for " + user + " put");
    }
    try (Database db = Database.open(dir, Options.defaults().cacheSize(Options.MIN_CACHE_SIZE))) {
      Tree t = db.tree("big");
      for (var e : model.entrySet()) {
        assertArrayEquals(e.getValue(), t.get(e.getKey()), "seed " + seed);
      }
      TestUtil.assertScansEqual(t, model, "seed " + seed);
    }
  }
}
