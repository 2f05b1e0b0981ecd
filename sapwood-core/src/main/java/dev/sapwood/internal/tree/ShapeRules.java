package dev.sapwood.internal.tree;

/**
 * The shape targets of a tree's nodes, consulted by the flusher, the reshaper and the root's
 * writers: when an internal node is gorged (flush it), when a node is fissible (split it) and
 * when it is fusible (merge or rebalance it with a sibling). Pure decisions on a latched node;
 * {@link Reshaper} carries them out.
 *
 * <p>Invariants: a split always makes at least two pieces of a fissible node, so a leaf ends up
 * holding a single entry at the least and a lone entry larger than a node is a leaf of its own;
 * the thresholds are fixed for the life of the database.
 */
final class ShapeRules {
  final int nodeSize;
  final int fanout;
  /**
   * Whether the last leaf of a parent, grown only at its end, splits left-heavy ({@link
   * SplitPlan#leftHeavyLeafCuts}); on unless a test of other shapes turns it off before use.
   */
  boolean leftHeavySplits = true;
  /**
   * Whether a put at the tree's right edge may go straight into the rightmost leaf ({@link
   * RightEdge}, TokuFT's sequential-insert heuristic); on unless a test of the buffered path turns
   * it off before use.
   */
  boolean promoteAtEdge = true;

  ShapeRules(int nodeSize, int fanout) {
    this.nodeSize = nodeSize;
    this.fanout = fanout;
  }

  /**
   * Whether internal {@code node}'s buffers hold more than a node's worth of messages (pivots do
   * not count: flushing cannot shrink them, splitting does).
   */
  boolean gorged(Node node) {
    return node.height > 0 && node.bufferBytes() > nodeSize;
  }

  /**
   * Whether {@code node} must split: an internal node with more children than the fanout, or with
   * at least four children and pivots of more than half a node (keys near the 16 KiB limit on small
   * nodes); a leaf larger than a node that holds more than one entry. A split always makes at least
   * two pieces of such a node ({@link Reshaper}), so a leaf ends up holding a single entry at the
   * least, and a lone entry larger than a node is a leaf of its own.
   */
  boolean fissible(Node node) {
    if (node.height > 0) {
      return node.n > fanout || (node.n >= 4 && node.pivotBytes() > nodeSize / 2);
    }
    return node.bytes() > nodeSize && (node.n > 1 || node.basements[0].count() > 1);
  }

  /**
   * Whether {@code node} should merge with a sibling: an internal node with few children and few
   * pivot bytes (two children split apart for their large pivots would only split again), a leaf
   * of less than a quarter node.
   */
  boolean fusible(Node node) {
    if (node.height > 0) {
      return node.n < Math.max(2, fanout / 4) && node.pivotBytes() < nodeSize / 8;
    }
    return node.bytes() < nodeSize / 4;
  }
}
