package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node is published in the cache knowing its tree ({@link NodeOwners}): its versions store and
 * row count are set by its loader, from the parent it is loaded through or, for a root, from its
 * tree's registration, before any other thread can find it. The cleaner, which pins nodes by block,
 * used to find a node another thread had just loaded and not yet reached through its parent (the
 * versions store was given then, in {@code TreeContext.checkChild}): flushed then, it handed its
 * leaves no versions store, and with a snapshot open the flush into a leaf failed ("reached without
 * its tree's versions store"; found by {@code PooledArraysStressTest}'s busy cleaner), so the
 * cleaner skipped such nodes. Each test here loads nodes by one path — a point read, a snapshot's
 * range read, a writer's flush, a parked node's revival — and, the moment each is published (before
 * its loader reaches it), checks it knows its tree; the first also runs the cleaner on it there, as
 * the old race did.
 */
class CleanerUnreachedNodeTest {
  private static final int NODE = 8 << 10;
  private static final int KEYS = 6000;

  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/cleaner-unreached.sap"),
      new Header.Settings(NODE, 1 << 10, 4, Compressors.NONE));
  private final byte[] value = new byte[40];
  private final List<TreeContext> contexts = new ArrayList<>();
  /** The last MSN the file's tree was written with: a context over it goes on from there. */
  private long lastMsn;

  @AfterEach
  void close() {
    for (TreeContext ctx : contexts) {
      ctx.cache.onLoadPublished(null);
      ctx.closeOffHeap();
    }
    file.close();
  }

  private TreeContext context() {
    TreeContext ctx = new TreeContext(file, 4 << 20, NODE, 1 << 10, 4, Compressors.NONE, name -> null, lastMsn,
        new Counters());
    ctx.leafDeltaRatio(0);
    contexts.add(ctx);
    return ctx;
  }

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static int scattered(int i) {
    return (int) ((long) i * 7919 % KEYS);
  }

  /**
   * Writes every key through a context of its own, leaving messages in the buffers of nodes below
   * the root, then writes every node to the file and checkpoints: another context over the file
   * starts with an empty cache and loads every node it reaches. Returns the root.
   */
  private long writtenTree() {
    TreeContext warm = context();
    long root = BeTree.create(warm);
    BeTree tree = new BeTree(warm, root);
    for (int i = 0; i < KEYS; i++) {
      tree.put(key(scattered(i)), value);
    }
    warm.nodes.writeDirtyNodes();
    lastMsn = warm.lastMsn();
    file.checkpoint(root, lastMsn, 0);
    return root;
  }

  /** What a hook saw of the nodes published while it was set. */
  private static final class Seen {
    int nodes;
    int internal;
    final List<String> wrong = new ArrayList<>();
  }

  /**
   * Sets a hook on {@code ctx}'s cache that, on the loading thread, as each loaded node is
   * published and before its loader reaches it, checks the node carries the versions store and row
   * count of the tree of {@code root}, then runs {@code more} on the node's block.
   */
  private static Seen watchLoads(TreeContext ctx, long root, Consumer<Long> more) {
    Seen seen = new Seen();
    Versions expected = ctx.owners.register(root); // the tree's, registered by its BeTree
    ctx.cache.onLoadPublished(block -> {
      Node n = ctx.cache.pinWriteIfCached(block, false);
      assertNotNull(n, "block " + block + " just published and free");
      try {
        seen.nodes++;
        seen.internal += n.height > 0 ? 1 : 0;
        if (n.versions != expected || n.rows != ctx.rows(root)) {
          seen.wrong.add("block " + block + " (height " + n.height + ")");
        }
      } finally {
        ctx.cache.unpinWrite(n);
      }
      more.accept(block);
    });
    return seen;
  }

  private static void assertKnown(Seen seen, String path) {
    assertTrue(seen.nodes > 0, path + " loaded no node");
    assertTrue(seen.wrong.isEmpty(), path + ": published without their tree's versions store: " + seen.wrong);
  }

  @Test
  void aNodeAPointReadLoadsIsPublishedKnowingItsTreeAndTheCleanerMayFlushItAtOnce() {
    long root = writtenTree();
    TreeContext ctx = context();
    BeTree tree = new BeTree(ctx, root);
    long snapshot = ctx.snapshots.open(() -> Long.MAX_VALUE); // a flush into a leaf records versions now
    long[] cleaned = {0};
    boolean[] cleaning = {false};
    Seen seen;
    try {
      seen = watchLoads(ctx, root, block -> {
        if (cleaned[0] == 0 && !cleaning[0]) { // not again for the nodes its own flush loads
          // The race the cleaner's skip guarded against: it finds the node before its loader
          // reaches it through its parent. Run here, on the loading thread, it is deterministic.
          cleaning[0] = true;
          try {
            cleaned[0] += ctx.cleaner().clean(block, 1);
          } finally {
            cleaning[0] = false;
          }
        }
      });
      for (int i = 0; i < KEYS && cleaned[0] == 0; i++) {
        assertArrayEquals(value, tree.get(key(i)), "key " + i);
      }
    } finally {
      ctx.snapshots.close(snapshot);
      ctx.cache.onLoadPublished(null);
    }
    assertKnown(seen, "point reads");
    assertTrue(seen.internal > 1, "reads loaded internal nodes below the root: " + seen.internal);
    assertTrue(cleaned[0] > 0, "the cleaner flushed a node at its publication, beside an open snapshot"
        + " (it used to skip it, and a flush of it into a leaf failed)");
    for (int i = 0; i < KEYS; i++) {
      assertArrayEquals(value, tree.get(key(i)), "key " + i + " after the cleaner's flush");
    }
  }

  @Test
  void aNodeASnapshotsRangeReadLoadsIsPublishedKnowingItsTree() {
    long root = writtenTree();
    TreeContext ctx = context();
    BeTree tree = new BeTree(ctx, root);
    long s = ctx.snapshots.open(ctx::lastMsn);
    Seen seen = watchLoads(ctx, root, block -> {});
    int read = 0;
    try {
      byte[] from = new byte[0];
      while (from != null) {
        Chunk c = tree.readForward(from, 256, s);
        read += c.size();
        from = c.next();
      }
    } finally {
      ctx.snapshots.close(s);
      ctx.cache.onLoadPublished(null);
    }
    assertEquals(KEYS, read, "the snapshot reads every key");
    assertKnown(seen, "a snapshot's range read");
  }

  @Test
  void aNodeAWritersFlushLoadsIsPublishedKnowingItsTree() {
    long root = writtenTree();
    TreeContext ctx = context();
    BeTree tree = new BeTree(ctx, root);
    Seen seen = watchLoads(ctx, root, block -> {});
    try {
      for (int i = 0; i < KEYS; i++) {
        tree.put(key(scattered(i)), new byte[41]);
      }
      tree.flushAll(); // every message down to its leaf: every node loaded by a flush
    } finally {
      ctx.cache.onLoadPublished(null);
    }
    assertKnown(seen, "flushes");
    assertTrue(seen.internal > 1, "flushes loaded internal nodes below the root: " + seen.internal);
    assertArrayEquals(new byte[41], tree.get(key(KEYS - 1)));
  }

  @Test
  void aParkedNodeRevivedIsPublishedKnowingItsTree() {
    long root = writtenTree();
    TreeContext ctx = context();
    ctx.frameCache(new FrameCache(4 << 20, new Counters()));
    BeTree tree = new BeTree(ctx, root);
    for (int i = 0; i < KEYS; i += 7) {
      tree.put(key(i), new byte[42]); // dirty internal nodes below the root, which may be parked
    }
    List<Long> parked = new ArrayList<>();
    ctx.cache.forEach(n -> {
      if (n.height > 0 && n.key() != root && n.isDirty()) {
        parked.add(n.key());
      }
    });
    parked.removeIf(block -> !ctx.cache.parkNow(block));
    assertFalse(parked.isEmpty(), "no dirty internal node below the root could be parked");
    Seen seen = watchLoads(ctx, root, block -> {});
    try {
      for (int i = 0; i < KEYS; i++) {
        assertArrayEquals(i % 7 == 0 ? new byte[42] : value, tree.get(key(i)), "key " + i);
      }
    } finally {
      ctx.cache.onLoadPublished(null);
    }
    assertKnown(seen, "parked nodes revived");
    for (long block : parked) {
      assertTrue(ctx.cache.isCached(block), "parked block " + block + " was revived by the reads");
    }
  }

  @Test
  void aNodeLoadedThroughNoParentThatIsNoRootIsRefusedBeforeItIsPublished() {
    long root = writtenTree();
    TreeContext ctx = context();
    new BeTree(ctx, root);
    Node r = ctx.pinRootRead(root, ctx.cache.pins());
    long child = r.children[0];
    ctx.cache.unpinRead(r);
    assertFalse(ctx.cache.isCached(child));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ctx.cache.pinRead(child));
    assertTrue(e.getMessage().contains("no tree's root"), e.getMessage());
    assertFalse(ctx.cache.isCached(child), "never published");
    assertTrue(ctx.cache.holdsNothing(), "no pin left behind");
    Node again = ctx.pinChildRead(ctx.pinRootRead(root, ctx.cache.pins()), 0, ctx.cache.pins());
    assertTrue(again.versions == ctx.owners.register(root) && again.rows == ctx.rows(root),
        "through its parent it loads, knowing its tree");
    ctx.cache.releaseHeld();
  }
}
