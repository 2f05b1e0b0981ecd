package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A freed node (merged away, collapsed, dropped) is never changed, written back or reached as a
 * live child: every such step checks the node's freed mark and throws an IllegalStateException
 * naming its block, before it changes anything (Node's invariants). The first test replays the
 * shape of the root-collapse data loss (docs/design.md, "Concurrency"): a flush that goes on in a
 * child the root collapsed into and freed. Without the check, that flush moved the root's messages
 * into a leaf and split it under the freed node, and the root never named the new piece.
 */
class FreedNodeCheckTest {
  private static final int NODE = 4096;
  private final Counters counters = new Counters();
  private final TreeContext ctx = TestLeaves.smallContext("freed.sap", NODE, counters);
  private final BlockFile file = ctx.file;

  private static byte[] key(int i) {
    return TestLeaves.key(i);
  }

  private long leaf(int from, int to) {
    return TestLeaves.unpinnedLeaf(ctx, from, to);
  }

  /** An unpinned height-1 node over four leaves holding keys 0..119. */
  private Node internalOverFourLeaves() {
    long[] leaves = {leaf(0, 30), leaf(30, 60), leaf(60, 90), leaf(90, 120)};
    Node node = ctx.cache.insertPinned(TestLeaves.handBuilt(ctx));
    node.setInternal(1, new byte[][] {key(30), key(60), key(90)}, leaves,
        new MessageBuffer[] {new MessageBuffer(), new MessageBuffer(), new MessageBuffer(), new MessageBuffer()});
    node.dirty = true;
    ctx.cache.unpinWrite(node);
    return node;
  }

  @Test
  void aFlushInAChildFreedByARootCollapseThrowsBeforeChangingAnything() {
    Node child = internalOverFourLeaves(); // the reference a cascade kept
    long childBlock = child.key();
    Node root = ctx.cache.insertPinned(TestLeaves.handBuiltRoot(ctx));
    MessageBuffer buf = new MessageBuffer();
    byte[] value = new byte[150];
    int added = 25; // past key 119: into the last leaf, which they overfill
    for (int i = 0; i < added; i++) {
      byte[] k = key(1000 + i);
      buf.add(MessageType.PUT, 1 + i, k, 0, k.length, value, 0, value.length, null);
    }
    root.setInternal(2, new byte[0][], new long[] {childBlock}, new MessageBuffer[] {buf});
    root.maxMsn = added;
    root.dirty = true;
    long rootBlock = root.key();
    ctx.reshaper.reshapeRoot(root); // collapses: the root takes the child's children and buffers
    ctx.cache.unpinWrite(root);
    assertEquals(1, counters.counter("merge.root_collapse").sum(), "the root collapsed");
    assertTrue(child.freed(), "the collapse freed the child");

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ctx.flusher.flushOnce(child));
    assertTrue(e.getMessage().contains("node block " + childBlock + " ") && e.getMessage().contains("freed"),
        e.getMessage());
    assertTrue(ctx.cache.holdsNothing(), "nothing was pinned before the check");
    TreeVerifier.Stats s = TreeVerifier.verify(ctx, rootBlock);
    assertEquals(120 + added, s.entries + s.messages, "every key is still reachable from the root: " + s);
    BeTree tree = new BeTree(ctx, rootBlock);
    for (int i = 0; i < added; i++) {
      assertArrayEquals(value, tree.get(key(1000 + i)), "key " + (1000 + i));
    }
  }

  @Test
  void everyChangeOfAFreedNodeThrowsNamingIt() {
    Node node = ctx.cache.pinWrite(internalOverFourLeaves().key());
    long block = node.key();
    ctx.reshaper.free(node);
    assertTrue(node.freed());
    Node parent = ctx.cache.insertPinned(TestLeaves.handBuilt(ctx));
    parent.setInternal(2, new byte[0][], new long[] {block}, new MessageBuffer[] {new MessageBuffer()});
    List<Executable> changes = List.of(
        node::markDirty,
        () -> node.setInternal(1, new byte[0][], new long[] {1}, new MessageBuffer[] {new MessageBuffer()}),
        () -> node.setLeaf(new byte[0][], new Basement[] {Basement.empty()}),
        () -> node.replaceChild(0, new long[] {1, 2}, new MessageBuffer[] {new MessageBuffer(), new MessageBuffer()},
            new byte[][] {key(10)}),
        () -> node.removeRightChild(0),
        () -> ctx.partitions.prepareChange(node),
        () -> ctx.partitions.writeIfPending(node),
        () -> ctx.nodes.writeNode(node),
        () -> ctx.reshaper.free(node),
        () -> ctx.checkChild(parent, 0, node, false));
    for (Executable change : changes) {
      IllegalStateException e = assertThrows(IllegalStateException.class, change);
      assertTrue(e.getMessage().startsWith("node block " + block + " "), e.getMessage());
    }
    assertEquals(4, node.n, "nothing changed the freed node");
    ctx.cache.unpinWrite(parent);
  }

  @Test
  void aLiveNodeChangesAsBefore() {
    Node node = ctx.cache.pinWrite(internalOverFourLeaves().key());
    assertFalse(node.freed());
    node.markDirty();
    ctx.partitions.prepareChange(node);
    node.removeRightChild(2);
    ctx.nodes.writeNode(node);
    assertEquals(3, node.n);
    assertFalse(node.dirty);
    ctx.cache.unpinWrite(node);
  }
}
