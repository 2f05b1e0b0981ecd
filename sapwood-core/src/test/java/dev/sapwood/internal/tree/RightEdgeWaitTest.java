package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * What a put that probes the right edge ({@link RightEdge}) waits for: a random put must not wait,
 * holding the root, for the latch of an edge node another thread holds (the flush that emptied
 * the root's last buffer, cascading below it). The 100M-key fill's writer spent 4.5% of its wall
 * time there, up to 0.8 s at once (docs/benchmarks.md, "The writer's waits at the right edge").
 */
class RightEdgeWaitTest {
  private static final int NODE = 4 << 10;

  @Test
  void aPutProbingTheEdgeDoesNotWaitForAnEdgeLatchAnotherThreadHolds() throws Exception {
    Counters counters = new Counters();
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/edge.sap"),
        new Header.Settings(NODE, 1 << 10, 4, Compressors.NONE));
    TreeContext ctx = new TreeContext(file, 64L << 20, NODE, 1 << 10, 4, Compressors.NONE,
        MessageApplierTest.resolver(), 0, counters);
    BeTree tree = new BeTree(ctx, BeTree.create(ctx));
    for (int i = 0; i < 2000; i++) {
      tree.put(RightEdgeTest.key(i), RightEdgeTest.value(i)); // ascending: promoted, the tree grows an edge of several levels
    }
    tree.put(RightEdgeTest.key(1999), RightEdgeTest.value(1)); // not an append: refused, the next edge puts back off
    for (int i = 0; i < RightEdge.BACKOFF; i++) {
      tree.put(RightEdgeTest.key(1999), RightEdgeTest.value(2)); // each counts the backoff down, buffered in the root
    }
    tree.flushAll(); // every buffer empty again, as after the flush of the root's last child
    Node root = ctx.pinRootWrite(tree.rootBlock());
    assertTrue(root.height >= 2, "the edge has an internal node below the root");
    long edgeChild = root.children[root.n - 1];
    ctx.cache.unpinWrite(root);
    long promoted = counters.counter("insert.promoted").sum();
    long refused = counters.counter("insert.promotion_refused").sum();

    // Another thread (a flush cascading below the root's last child) holds the child's latch.
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    Thread flush = new Thread(() -> {
      Node child = ctx.cache.pinWrite(edgeChild);
      held.countDown();
      try {
        letGo.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ctx.cache.unpinWrite(child);
    });
    flush.start();
    held.await();
    AtomicBoolean done = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      tree.put(RightEdgeTest.key(5000), RightEdgeTest.value(5)); // above everything: a probe of the edge
      done.set(true);
    });
    writer.start();
    // Until the put ends or parks (on the held latch: nothing else in this tree parks).
    while (!done.get() && LockSupport.getBlocker(writer) == null) {
      Thread.onSpinWait();
    }
    boolean waited = !done.get();
    letGo.countDown();
    writer.join();
    flush.join();

    assertFalse(waited, "the put waited for the latch of the edge's node with the root latched");
    assertEquals(1, counters.counter("insert.promotion_busy").sum());
    assertEquals(refused + 1, counters.counter("insert.promotion_refused").sum());
    assertEquals(promoted, counters.counter("insert.promoted").sum(), "buffered in the root instead");
    assertArrayEquals(RightEdgeTest.value(5), tree.get(RightEdgeTest.key(5000)));
    tree.flushAll();
    assertArrayEquals(RightEdgeTest.value(5), tree.get(RightEdgeTest.key(5000)));
    assertArrayEquals(RightEdgeTest.value(2), tree.get(RightEdgeTest.key(1999)));
    TreeVerifier.verify(ctx, tree.rootBlock());
  }
}
