package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TokuFT's sequential-insert heuristic ({@link RightEdge}): when a put skips the buffers, and when not. */
class RightEdgeTest {
  private static final int NODE = 4 << 10;
  private Counters counters;
  private TreeContext ctx;
  private BeTree tree;

  @BeforeEach
  void open() {
    counters = new Counters();
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/edge.sap"),
        new Header.Settings(NODE, 1 << 10, 4, Compressors.NONE));
    ctx = new TreeContext(file, 64L << 20, NODE, 1 << 10, 4, Compressors.NONE, MessageApplierTest.resolver(), 0, counters);
    tree = new BeTree(ctx, BeTree.create(ctx));
  }

  static byte[] key(long i) {
    byte[] k = new byte[8];
    BigEndian.putLong(k, 0, i);
    return k;
  }

  static byte[] value(long i) {
    byte[] v = new byte[100];
    Arrays.fill(v, (byte) i);
    return v;
  }

  private long promoted() {
    return counters.counter("insert.promoted").sum();
  }

  @Test
  void anAscendingLoadSkipsEveryBufferAndSplitsLeftHeavy() {
    for (int i = 0; i < 2000; i++) {
      tree.put(key(i), value(i));
    }
    assertEquals(2000, promoted());
    assertEquals(0, counters.counter("flush.total").sum(), "an ascending load needs no flush");
    assertTrue(counters.counter("split.leaf_left_heavy").sum() > 0);
    assertEquals(counters.counter("split.leaf").sum(), counters.counter("split.leaf_left_heavy").sum());
    TreeVerifier.verify(ctx, tree.rootBlock());
    for (int i = 0; i < 2000; i++) {
      assertArrayEquals(value(i), tree.get(key(i)), "key " + i);
    }
    assertEquals(2000, tree.approximateRows());
  }

  @Test
  void aPutWithAnOlderMessageOfItsKeyBufferedAboveIsNotPromoted() {
    for (int i = 0; i < 100; i++) {
      tree.put(key(i), value(i));
    }
    tree.delete(key(200)); // buffered above the rightmost leaf
    long before = promoted();
    tree.put(key(200), value(7));
    tree.put(key(201), value(8));
    assertEquals(before, promoted(), "promoted past a buffered message of the edge");
    assertArrayEquals(value(7), tree.get(key(200)));
    tree.flushAll();
    assertArrayEquals(value(7), tree.get(key(200)), "the delete applied after the put it preceded");
    assertArrayEquals(value(8), tree.get(key(201)));
  }

  @Test
  void aRangeDeleteBufferedAboveTheEdgeStopsPromotion() {
    for (int i = 0; i < 100; i++) {
      tree.put(key(i), value(i));
    }
    tree.deleteRange(key(50), key(1000));
    long before = promoted();
    tree.put(key(500), value(5));
    assertEquals(before, promoted());
    tree.flushAll();
    assertArrayEquals(value(5), tree.get(key(500)));
    assertNull(tree.get(key(99)));
    assertArrayEquals(value(49), tree.get(key(49)));
  }

  @Test
  void aKeyBelowTheLastLeafsEndIsBufferedAndBacksOff() {
    for (int i = 0; i < 100; i++) {
      tree.put(key(2 * i), value(i));
    }
    long before = promoted();
    tree.put(key(197), value(3)); // below the largest key 198: not an append
    assertEquals(before, promoted());
    assertEquals(1, counters.counter("insert.promotion_refused").sum());
    assertArrayEquals(value(3), tree.get(key(197)));
  }

  @Test
  void aSnapshotOpenedWhileThePromotedPutsRootIsLatchedDoesNotSeeIt() {
    for (int i = 0; i < 100; i++) {
      tree.put(key(i), value(i));
    }
    long before = promoted();
    tree.latchRoot();
    long msn = ctx.nextMsn();
    tree.insertLatched(MessageType.PUT, key(100), value(100), null, msn);
    assertEquals(before + 1, promoted(), "the put went to the leaf");
    // Opened after the put's check for open snapshots, at an MSN below the put's (not yet visible).
    long s = ctx.snapshots.open(() -> msn - 1);
    tree.unlatchRoot();
    assertNull(tree.get(key(100), s), "the snapshot sees a put above its MSN");
    assertArrayEquals(value(99), tree.get(key(99), s));
    Chunk c = tree.readForward(key(99), 10, s);
    assertEquals(1, c.size(), "a cursor of the snapshot sees a put above its MSN");
    assertArrayEquals(value(100), tree.get(key(100)));
    ctx.snapshots.close(s);
  }

  @Test
  void noPutIsPromotedWhileASnapshotIsOpen() {
    long s = ctx.snapshots.open(ctx::lastMsn);
    tree.put(key(1), value(1));
    assertEquals(0, promoted());
    assertNull(tree.get(key(1), s));
    ctx.snapshots.close(s);
  }

  @Test
  void anAppendedBasementLeavesTheOneItCameFromAsItWas() {
    Basement a = Basement.empty().appended(key(1), value(1), 5, 64);
    Basement b = a.appended(key(2), value(2), 6, 64);
    Basement c = b.appended(key(3), value(3), 7, 64);
    Basement fork = b.appended(key(9), value(9), 8, 64); // b is no longer the newest: copies
    assertEquals(1, a.count());
    assertEquals(2, b.count());
    assertEquals(3, c.count());
    assertArrayEquals(key(3), c.key(2));
    assertArrayEquals(key(9), fork.key(2));
    assertArrayEquals(key(3), c.key(2), "an append to an older basement overwrote a newer one");
    assertEquals(6, b.maxMsn());
    assertEquals(-1 - 2, b.find(key(3)));
  }
  @Test
  void anAppendPastFullOffsetsKeepsTheArenaAndEveryEarlierBasementAsItWas() {
    Basement b = Basement.empty().appended(key(0), value(0), 1, 16 << 10);
    byte[] arena = b.arena();
    Basement[] all = new Basement[120];
    all[0] = b;
    for (int i = 1; i < all.length; i++) {
      all[i] = all[i - 1].appended(key(i), value(i), i + 1, 16 << 10);
    }
    assertTrue(all[all.length - 1].bytes() <= arena.length, "test must stay within one arena");
    assertTrue(all[all.length - 1].arena() == arena, "the arena was copied for offsets");
    for (int i = 0; i < all.length; i++) {
      assertEquals(i + 1, all[i].count());
      assertArrayEquals(key(i), all[i].key(i), "basement " + i);
      assertEquals(-1 - (i + 1), all[i].find(key(i + 1)), "basement " + i + " sees a later append");
    }
  }

  @Test
  void theCacheAccountsEveryNodeOfAnAscendingLoadAsItsMemory() {
    for (int i = 0; i < 3000; i++) {
      tree.put(key(i), value(i));
    }
    assertEquals(3000, promoted());
    long[] sum = {0};
    ctx.cache.forEach(n -> {
      assertEquals(n.memoryBytes(), ctx.cache.accountedBytes(n), "node " + n.key());
      sum[0] += n.memoryBytes();
    });
    assertEquals(sum[0], ctx.cache.usedBytes());
  }

  @Test
  void aRememberedEdgeEvictedBetweenPutsIsLookedUpAgain() {
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/small.sap"),
        new Header.Settings(NODE, 1 << 10, 4, Compressors.NONE));
    ctx = new TreeContext(file, 24L << 10, NODE, 1 << 10, 4, Compressors.NONE, MessageApplierTest.resolver(), 0, counters);
    tree = new BeTree(ctx, BeTree.create(ctx));
    for (int i = 0; i < 3000; i++) {
      tree.put(key(i), value(i));
    }
    assertTrue(counters.counter("cache.evictions").sum() > 0, "the small cache evicted nothing");
    assertTrue(promoted() > 0);
    TreeVerifier.verify(ctx, tree.rootBlock());
    for (int i = 0; i < 3000; i++) {
      assertArrayEquals(value(i), tree.get(key(i)), "key " + i);
    }
    ctx.cache.forEach(n -> assertEquals(n.memoryBytes(), ctx.cache.accountedBytes(n), "node " + n.key()));
  }

  /**
   * Promoted puts mixed with updates of the edge's last keys, which flushes append to the rightmost
   * leaf's delta: a promoted put must never lift a basement's max MSN over messages still waiting in
   * the leaf's delta (readers would skip them).
   */
  @Test
  void promotedPutsNeverHideMessagesWaitingInTheRightmostLeafsDelta() {
    long seed = System.nanoTime();
    System.out.println("RightEdgeTest delta seed=" + seed);
    java.util.Random rnd = new java.util.Random(seed);
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/deltas.sap"),
        new Header.Settings(64 << 10, 4 << 10, 8, Compressors.NONE));
    ctx = new TreeContext(file, 64L << 20, 64 << 10, 4 << 10, 8, Compressors.NONE, MessageApplierTest.resolver(), 0, counters);
    tree = new BeTree(ctx, BeTree.create(ctx));
    java.util.TreeMap<Long, Long> model = new java.util.TreeMap<>();
    long next = 0;
    for (int round = 0; round < 400; round++) {
      for (int i = 0; i < 60; i++, next++) {
        tree.put(key(next), value(next));
        model.put(next, next);
      }
      for (int i = 0; i < 30; i++) {
        long k = next - 1 - rnd.nextInt((int) Math.min(next, 3000));
        long v = rnd.nextInt(100);
        tree.put(key(k), value(v));
        model.put(k, v);
      }
    }
    assertTrue(promoted() > 0, "nothing was promoted");
    assertTrue(counters.counter("flush.leaf_delta_appends").sum() > 0, "no flush appended to a delta");
    for (var e : model.entrySet()) {
      assertArrayEquals(value(e.getValue()), tree.get(key(e.getKey())), "seed " + seed + ", key " + e.getKey());
    }
    TreeVerifier.verify(ctx, tree.rootBlock());
  }
}
