package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sapwood.internal.stats.Counters;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The quiet sweep's steps over leaves they do not consolidate take no write latch: a whole sweep
 * runs to its end while a reader holds the root's read latch (each step used to write-latch its
 * path from the root, and every reader meeting one waited, the readers behind it queueing on the
 * fair latch). The wait below is a deadlock detector, not a timing assertion: without the
 * read-latched look a step waits for as long as the reader holds the root.
 */
class DeltaSweepReadLatchTest {
  @Test
  void stepsThatConsolidateNothingPassAReaderHoldingTheRoot() throws Exception {
    TreeContext ctx = TestLeaves.smallContext("sweep-read.sap", 4096, new Counters());
    long root = BeTree.create(ctx);
    BeTree tree = new BeTree(ctx, root);
    byte[] value = new byte[40];
    for (int i = 0; i < 2_000; i++) {
      tree.put(TestLeaves.key(i * 7919 % 2_000), value); // new keys only: no delta repeats its leaf
    }
    ExecutorService reader = Executors.newSingleThreadExecutor();
    ExecutorService sweeper = Executors.newSingleThreadExecutor();
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    try {
      Future<?> holding = reader.submit(() -> {
        Node r = ctx.cache.pinRead(root);
        held.countDown();
        letGo.await();
        ctx.cache.unpinRead(r);
        return null;
      });
      held.await();
      int steps = 0;
      for (byte[] from = new byte[0]; from != null; steps++) {
        byte[] at = from;
        Future<DeltaSweep.Step> step = sweeper.submit(() -> ctx.deltaSweep().step(root, at, false));
        DeltaSweep.Step s = null;
        try {
          s = step.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          fail("sweep step " + steps + " waited for a reader holding the root's read latch");
        }
        assertFalse(s.consolidated(), "a leaf of new keys was consolidated");
        from = s.next();
      }
      assertTrue(steps > 3, "the tree has " + steps + " leaves: too few to sweep");
      letGo.countDown();
      holding.get();
    } finally {
      letGo.countDown();
      reader.shutdownNow();
      sweeper.shutdownNow();
    }
    for (int i = 0; i < 2_000; i++) {
      assertArrayEquals(value, tree.get(TestLeaves.key(i), Long.MAX_VALUE), "key " + i);
    }
  }
}
