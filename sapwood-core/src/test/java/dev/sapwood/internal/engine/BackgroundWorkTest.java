package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Writers hand flushes to the background, the cleaner drains full buffers, close stops both. */
class BackgroundWorkTest {
  private static byte[] key(int i) {
    return String.format("k%08d", (i * 7919) % 100_000).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int i) {
    byte[] v = new byte[60];
    Arrays.fill(v, (byte) i);
    return v;
  }

  @Test
  void flushesRunInTheBackgroundAndTheCleanerDrainsFullBuffers() throws Exception {
    // Only this database's threads: a database another test of this JVM left open is not ours.
    java.util.Set<Thread> before = new java.util.HashSet<>(Thread.getAllStackTraces().keySet());
    MemoryFileIo io = new MemoryFileIo();
    Options o = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(8)
        .durability(Durability.NONE).checkpointInterval(Duration.ofHours(1));
    int n = 30_000;
    Stats stats;
    try (DatabaseImpl db = TestSeams.open(Path.of("/bg"), o, io)) {
      Tree t = db.tree("t");
      for (int i = 0; i < n; i++) {
        t.put(key(i), value(i));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (db.stats().get("cleaner.flushes") == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      stats = db.stats();
      for (int i = 0; i < n; i++) {
        assertArrayEquals(value(i), t.get(key(i)), "key " + i);
      }
    }
    assertTrue(stats.get("flush.by_background") > 0, "writers handed flushes over\n" + stats);
    assertTrue(stats.get("cleaner.passes") > 0, "the cleaner ran\n" + stats);
    assertTrue(stats.get("cleaner.flushes") > 0, "the cleaner flushed full buffers\n" + stats);
    for (Thread th : Thread.getAllStackTraces().keySet()) {
      if (th.getName().startsWith("sapwood-") && !before.contains(th) && th.isAlive()) {
        th.join(5_000);
        assertFalse(th.isAlive(), "background thread " + th.getName() + " still running after close");
      }
    }
  }
}
