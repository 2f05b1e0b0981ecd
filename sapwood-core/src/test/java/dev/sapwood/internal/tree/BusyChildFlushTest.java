package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.stats.Counters;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A flush from the root whose heaviest child is latched by another thread (a flusher cascading
 * below it) flushes another child with at least half its bytes instead of waiting with the root
 * latched, and the writers behind the root with it.
 */
class BusyChildFlushTest {
  private static final int NODE = 4096;
  private final Counters counters = new Counters();
  private final TreeContext ctx = TestLeaves.smallContext("busy.sap", NODE, counters);

  private static byte[] key(int i) {
    return TestLeaves.key(i);
  }

  private Node child(int from, int mid, int to) {
    Node n = ctx.cache.insertPinned(TestLeaves.handBuilt(ctx));
    n.setInternal(1, new byte[][] {key(mid)},
        new long[] {TestLeaves.unpinnedLeaf(ctx, from, mid), TestLeaves.unpinnedLeaf(ctx, mid, to)},
        new MessageBuffer[] {new MessageBuffer(), new MessageBuffer()});
    n.dirty = true;
    ctx.cache.unpinWrite(n);
    return n;
  }

  private static MessageBuffer puts(int from, int count, long msn) {
    MessageBuffer buf = new MessageBuffer();
    byte[] value = new byte[150];
    for (int i = 0; i < count; i++) {
      byte[] k = key(from + i);
      buf.add(MessageType.PUT, msn + i, k, 0, k.length, value, 0, value.length, null);
    }
    return buf;
  }

  @Test
  void theRootFlushesAnIdleChildWhileTheHeaviestIsLatched() throws Exception {
    Node a = child(0, 30, 60);
    Node b = child(60, 90, 120);
    Node root = ctx.cache.insertPinned(TestLeaves.handBuiltRoot(ctx));
    root.setInternal(2, new byte[][] {key(60)}, new long[] {a.key(), b.key()},
        new MessageBuffer[] {puts(0, 20, 1), puts(60, 16, 100)});
    root.maxMsn = 200;
    root.dirty = true;
    long heavy = root.buffers[0].bytes();
    long light = root.buffers[1].bytes();
    assertTrue(heavy > light && light >= heavy / 2, heavy + " / " + light);
    assertTrue(root.bufferBytes() > NODE && root.bufferBytes() <= 2L * NODE, "gorged, flushed releasing the root");

    CountDownLatch latched = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    Thread cascade = new Thread(() -> { // another flusher holding the heaviest child
      Node held = ctx.cache.pinWrite(a.key());
      latched.countDown();
      try {
        letGo.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        ctx.cache.unpinWrite(held);
      }
    });
    cascade.start();
    assertTrue(latched.await(30, TimeUnit.SECONDS));
    long rootBlock = root.key();
    ctx.cache.unpinWrite(root);
    Thread flush = new Thread(() -> ctx.flusher.flushFromRoot(ctx.pinRootWrite(rootBlock)));
    flush.start();
    flush.join(30_000);
    boolean waited = flush.isAlive();
    letGo.countDown();
    flush.join(30_000);
    cascade.join(30_000);
    assertFalse(waited, "the flush did not wait for the latched heaviest child");

    Node r = ctx.cache.pinRead(rootBlock);
    try {
      assertEquals(heavy, r.buffers[0].bytes(), "the heaviest child's messages wait in the root");
      assertEquals(0, r.buffers[1].bytes(), "the idle child took its messages");
    } finally {
      ctx.cache.unpinRead(r);
    }
    TreeVerifier.Stats s = TreeVerifier.verify(ctx, rootBlock);
    assertEquals(120 + 36, s.entries + s.messages, "every key is reachable: " + s);
  }
}
