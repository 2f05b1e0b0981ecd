package dev.sapwood;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Churn: writers with exact models, scanners, a checkpointer and a compactor, all at once on small
 * nodes with a tiny cache (so dirty nodes are written back on eviction while checkpoints complete
 * and {@code compact()} moves the file's tail); then every writer's model compared with the tree,
 * again after close and reopen, and the verifier clean. See {@link Churn} for what each thread does.
 *
 * <p>The default run is several short rounds, each on a fresh database with its own seed and cache
 * size (printed); the stress run ({@code -Pstress}) repeats rounds for {@code
 * -Dsapwood.churn.minutes} minutes (default 10). Re-run one round with {@code
 * -Dsapwood.churn.seed=S -Dsapwood.churn.cache=BYTES}.
 */
class ChurnTest {
  @TempDir Path dir;

  @Test
  void writersScannersCheckpointsAndCompactionLoseNothing() throws Exception {
    String fixed = System.getProperty("sapwood.churn.seed");
    if (fixed != null) {
      long cache = Long.getLong("sapwood.churn.cache", 64 << 10);
      round(Long.parseLong(fixed), cache, Duration.ofSeconds(Long.getLong("sapwood.churn.seconds", 4)), 0);
      return;
    }
    long base = System.nanoTime();
    long[] caches = {64 << 10, 64 << 10, 128 << 10, 256 << 10, 1 << 20};
    for (int i = 0; i < caches.length; i++) {
      round(base + i, caches[i], Duration.ofSeconds(4), i);
    }
  }

  @Tag("stress")
  @Test
  void churnForMinutes() throws Exception {
    long minutes = Long.getLong("sapwood.churn.minutes", 10);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
    long base = System.nanoTime();
    long[] caches = {64 << 10, 128 << 10, 256 << 10, 1 << 20};
    for (int i = 0; System.nanoTime() < deadline; i++) {
      round(base + i, caches[i % caches.length], Duration.ofSeconds(30), i);
    }
  }

  private void round(long seed, long cacheBytes, Duration length, int n) throws Exception {
    Path d = Files.createDirectory(dir.resolve("round" + n));
    String what = "churn seed=" + seed + " cache=" + cacheBytes + " (re-run: -Dsapwood.churn.seed=" + seed
        + " -Dsapwood.churn.cache=" + cacheBytes + ")";
    System.out.println(what);
    Churn churn = new Churn(d, seed, cacheBytes);
    try {
      churn.run(length, 12);
      churn.checkAfterReopen();
      churn.checkVerifier();
    } catch (Throwable t) {
      fail(what + ": " + t, t);
    }
    System.out.println("  " + churn.summary());
  }
}
