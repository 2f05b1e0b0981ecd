package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A node another thread has just loaded is in the cache before that thread reaches it through its
 * parent and gives it its tree's versions store ({@link TreeContext#checkChild}). The cleaner,
 * which pins nodes by block, must leave such a node for a later pass: flushed then, it handed its
 * leaves no versions store, and with a snapshot open the flush into a leaf failed ("reached
 * without its tree's versions store"; found by {@code PooledArraysStressTest}'s busy cleaner).
 */
class CleanerUnreachedNodeTest {
  private static final int NODE = 8 << 10;

  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/cleaner-unreached.sap"),
      new Header.Settings(NODE, 1 << 10, 4, Compressors.NONE));
  private final TreeContext ctx = new TreeContext(file, 4 << 20, NODE, 1 << 10, 4, Compressors.NONE,
      name -> null, 0, new Counters());

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aNodeNotYetReachedThroughItsParentIsLeftForALaterPass() {
    ctx.leafDeltaRatio(0);
    BeTree tree = new BeTree(ctx, BeTree.create(ctx));
    byte[] value = new byte[40];
    int keys = 0;
    Node internal = null;
    while (internal == null) { // until a node below the root, above the leaves, holds messages
      assertTrue(keys < 200_000, "no node of height 1 with messages after " + keys + " puts");
      for (int i = 0; i < 500; i++, keys++) {
        tree.put(key(keys * 7919 % 100_003), value);
      }
      internal = heavyNodeBelowTheRoot(tree.rootBlock());
    }
    long block = internal.key();
    Versions store = internal.versions;
    assertNotNull(store, "reached through its parent");
    long snapshot = ctx.snapshots.open(() -> Long.MAX_VALUE); // a flush into a leaf records versions now
    try {
      internal.versions = null; // as a node another thread loaded and has not yet reached
      assertEquals(0, ctx.cleaner().clean(block, 1), "the cleaner leaves it (it used to flush it and fail)");
      internal.versions = store; // reached
      assertTrue(ctx.cleaner().clean(block, 1) > 0, "once reached, the cleaner flushes it");
    } finally {
      ctx.snapshots.close(snapshot);
    }
    for (int i = 0; i < keys; i++) {
      assertArrayEquals(value, tree.get(key(i * 7919 % 100_003)), "key " + i);
    }
  }

  /** A cached node of height 1 under the root whose buffers hold messages, or null. */
  private Node heavyNodeBelowTheRoot(long root) {
    Node r = ctx.cache.pinWriteIfCached(root);
    try {
      if (r.height < 2) {
        return null;
      }
      for (long child : r.children) {
        Node n = ctx.cache.pinWriteIfCached(child);
        if (n != null) {
          try {
            if (n.height == 1 && n.bufferBytes() > 0 && n.versions != null) {
              return n;
            }
          } finally {
            ctx.cache.unpinWrite(n);
          }
        }
      }
      return null;
    } finally {
      ctx.cache.unpinWrite(r);
    }
  }
}
