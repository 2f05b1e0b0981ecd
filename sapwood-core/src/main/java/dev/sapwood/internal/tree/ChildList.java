package dev.sapwood.internal.tree;

/**
 * Edits of an internal {@link Node}'s child list when its children split or merge: the three
 * parallel arrays ({@code children}, {@code buffers}, {@code pivots}) and {@code n} change together,
 * each array replaced by a new one (never edited in place, except the merged child's buffer).
 *
 * <p>Contract: called with the node write-latched and live (each edit checks {@link
 * Node#checkLive} first). Invariants kept: {@code n} children and buffers, {@code n - 1} pivots
 * strictly ascending, buffer i holding messages only for child i's key range. The caller (the
 * {@link Reshaper}) has already split or merged the children themselves and chosen the pivots; it
 * also marks the node dirty.
 */
final class ChildList {
  private ChildList() {}

  /**
   * Replaces child {@code i} of {@code node} by {@code newChildren} (with their buffers and the
   * {@code newChildren.length - 1} pivots between them): a child split.
   */
  static void replaceChild(Node node, int i, long[] newChildren, MessageBuffer[] newBuffers, byte[][] newPivots) {
    node.checkLive("had a child replaced");
    int n = node.n;
    int add = newChildren.length - 1;
    long[] c = new long[n + add];
    MessageBuffer[] b = new MessageBuffer[n + add];
    byte[][] p = new byte[n - 1 + add][];
    System.arraycopy(node.children, 0, c, 0, i);
    System.arraycopy(node.buffers, 0, b, 0, i);
    System.arraycopy(newChildren, 0, c, i, newChildren.length);
    System.arraycopy(newBuffers, 0, b, i, newBuffers.length);
    System.arraycopy(node.children, i + 1, c, i + 1 + add, n - i - 1);
    System.arraycopy(node.buffers, i + 1, b, i + 1 + add, n - i - 1);
    System.arraycopy(node.pivots, 0, p, 0, i);
    System.arraycopy(newPivots, 0, p, i, add);
    System.arraycopy(node.pivots, i, p, i + add, n - 1 - i);
    node.children = c;
    node.buffers = b;
    node.pivots = p;
    node.n = n + add;
  }

  /**
   * Removes child {@code i + 1} of {@code node}, folding its buffer into child {@code i}'s (the two
   * children were merged; the pivot between them goes).
   */
  static void removeRightChild(Node node, int i) {
    node.checkLive("had a child removed");
    int n = node.n;
    node.buffers[i] = MessageBuffer.merged(node.buffers[i], node.buffers[i + 1], node.pivots[i]);
    long[] c = new long[n - 1];
    MessageBuffer[] b = new MessageBuffer[n - 1];
    byte[][] p = new byte[n - 2][];
    System.arraycopy(node.children, 0, c, 0, i + 1);
    System.arraycopy(node.children, i + 2, c, i + 1, n - i - 2);
    System.arraycopy(node.buffers, 0, b, 0, i + 1);
    System.arraycopy(node.buffers, i + 2, b, i + 1, n - i - 2);
    System.arraycopy(node.pivots, 0, p, 0, i);
    System.arraycopy(node.pivots, i + 1, p, i, n - i - 2);
    node.children = c;
    node.buffers = b;
    node.pivots = p;
    node.n = n - 1;
  }
}
