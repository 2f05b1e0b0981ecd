package dev.sapwood.internal.tree;

/**
 * Flushes every buffered message down to the leaves (PerconaFT's "hot optimize"), reshaping as it
 * goes, so that a tree whose keys were all deleted merges back down to a root over a single leaf. Used by
 * maintenance (compaction) and tests; the write path never waits for it.
 *
 * <p>Locking: holds write latches on one root-to-node path at a time (parent before child), so
 * readers and writers of other paths go on.
 */
final class Drainer {
  private final TreeContext ctx;
  private final Flusher flusher;

  Drainer(TreeContext ctx, Flusher flusher) {
    this.ctx = ctx;
    this.flusher = flusher;
  }

  /** Drains the tree rooted at {@code rootBlock} until no buffer holds a message. */
  void drain(long rootBlock) {
    while (true) {
      Node root = ctx.pinRootWrite(rootBlock);
      try {
        boolean moved = pass(root);
        boolean reshaped = flusher.reshaper().reshapeRoot(root);
        if (!moved && !reshaped) {
          return;
        }
      } finally {
        ctx.cache.unpinWrite(root);
      }
    }
  }

  /**
   * One top-down pass under write-pinned internal {@code node}: flushes each child's buffer into
   * it, recurses, then reshapes the child. Returns whether any message moved. A merge with the
   * right neighbour revisits the merged child (the neighbour's messages came along); a rebalance
   * may leave some for the next pass.
   */
  private boolean pass(Node node) {
    boolean moved = false;
    for (int i = 0; i < node.n; i++) {
      Node child = ctx.pinChildWrite(node, i);
      if (!ctx.partitions.buffer(node, i).isEmpty()) {
        flusher.flushInto(node, i, child, false); // compaction applies messages to the basements
        moved = true;
      }
      if (child.height > 0) {
        moved |= pass(child);
      }
      int before = node.n;
      Node kept = flusher.reshaper().reshapeChild(node, i, child);
      if (kept != null) {
        ctx.cache.unpinWrite(kept);
      }
      if (node.n < before) {
        i--;
      }
    }
    return moved;
  }
}
