package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import org.junit.jupiter.api.Test;

/**
 * A root left with a single internal child (the cleaner flushes and merges under any internal
 * node, roots included, but never reshapes a root) collapses into that child at the next flush
 * from the root, even when the flush leaves the child gorged. Before the fix, the flush kept the
 * gorged child pinned for a cascade while the collapse freed it: the cascade then flushed and
 * split below the freed node, whose new children the root never saw — a whole key range lost
 * (with the latches of that time, reentrant; with today's, the collapse's pin of the child trips
 * the "taken twice" assertion). This is how RangeUpdateModelTest lost the tree's last keys at the
 * log replay after a reopen: the image's root had one child.
 */
class RootCollapseCascadeTest {
  private static final int NODE = 4096;
  private final Counters counters = new Counters();
  private final TreeContext ctx = TestLeaves.smallContext("collapse.sap", NODE, counters);
  private final BlockFile file = ctx.file;

  private static byte[] key(int i) {
    return TestLeaves.key(i);
  }

  /** An unpinned leaf holding keys [from, to) with 40-byte values (about 1.5 KiB: neither fusible nor fissible). */
  private long leaf(int from, int to) {
    return TestLeaves.unpinnedLeaf(ctx, from, to);
  }

  @Test
  void aRootWithOneChildCollapsesWithoutLosingTheCascadeBelowIt() {
    // Child C (height 1) over four leaves of 30 keys each: keys 0..119.
    long[] leaves = {leaf(0, 30), leaf(30, 60), leaf(60, 90), leaf(90, 120)};
    Node child = ctx.cache.insertPinned(TestLeaves.handBuilt(ctx));
    child.setInternal(1, new byte[][] {key(30), key(60), key(90)}, leaves,
        new MessageBuffer[] {new MessageBuffer(), new MessageBuffer(), new MessageBuffer(), new MessageBuffer()});
    child.dirty = true;
    long childBlock = child.key();
    ctx.cache.unpinWrite(child);
    // Root R (height 2) with C as its only child, its buffer more than two nodes of puts past
    // key 119: flushed with R held (not the releasing path), they leave C gorged.
    Node root = ctx.cache.insertPinned(TestLeaves.handBuiltRoot(ctx));
    MessageBuffer buf = new MessageBuffer();
    byte[] value = new byte[150];
    int added = 60;
    for (int i = 0; i < added; i++) {
      byte[] k = key(1000 + i);
      buf.add(MessageType.PUT, 1 + i, k, 0, k.length, value, 0, value.length, null);
    }
    root.setInternal(2, new byte[0][], new long[] {childBlock}, new MessageBuffer[] {buf});
    root.maxMsn = added;
    root.dirty = true;
    long rootBlock = root.key();
    assertTrue(root.bufferBytes() > 2L * NODE, "the root flushes with itself held");

    ctx.flusher.flushFromRoot(root);

    assertEquals(1, counters.counter("merge.root_collapse").sum(), "the root collapsed");
    TreeVerifier.Stats s = TreeVerifier.verify(ctx, rootBlock);
    assertEquals(120 + added, s.entries + s.messages, "every key is still reachable from the root: " + s);
    BeTree tree = new BeTree(ctx, rootBlock);
    for (int i = 0; i < 120; i++) {
      assertNotNull(tree.get(key(i)), "key " + i);
    }
    for (int i = 0; i < added; i++) {
      assertArrayEquals(value, tree.get(key(1000 + i)), "key " + (1000 + i));
    }
  }
}
