package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.ListArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keeps nodes within their targets after a flush: splits fissible nodes, merges or rebalances
 * fusible ones with a sibling, grows the tree under a root that keeps its block number, and
 * collapses a root left with a single child.
 *
 * <p>Locking: every method runs with the parent (or root) write-latched; siblings are latched left
 * to right only while the parent's write latch is held, so no reader can be between them.
 */
final class Reshaper {
  /** Flushes in a row that only appended at a leaf's end (the one that made it split included) for its split to be cut left-heavy. */
  static final int SEQUENTIAL_FLUSHES = 1;

  private final TreeContext ctx;

  Reshaper(TreeContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Reshapes write-pinned {@code child} (partition c of write-latched {@code parent}) after a
   * flush. Returns the child still pinned if it is internal and gorged (the caller cascades into
   * it); otherwise unpins everything it pinned and returns null.
   */
  Node reshapeChild(Node parent, int c, Node child) {
    if (child.deltaAppended) {
      child.deltaAppended = false; // the flush only appended to the leaf's delta: its shape is as it was
      ctx.cache.unpinWrite(child);
      return null;
    }
    ctx.partitions.prepareChange(parent);
    ctx.partitions.prepareChange(child);
    if (ctx.shape.fissible(child)) {
      splitChild(parent, c, child);
      return null;
    }
    if (ctx.shape.fusible(child) && parent.n > 1) {
      mergeChild(parent, c, child);
      return null;
    }
    if (ctx.shape.gorged(child)) {
      return child;
    }
    ctx.cache.unpinWrite(child);
    return null;
  }

  /**
   * Splits fissible {@code child}, the last child {@code c} of write-latched {@code parent}, that
   * grew only at its end by puts put straight into it ({@link RightEdge}): a leaf is cut
   * left-heavy. Unpins the child and its pieces.
   */
  void splitAtEdge(Node parent, int c, Node child) {
    ctx.partitions.prepareChange(parent);
    ctx.partitions.prepareChange(child);
    splitChild(parent, c, child);
  }

  /**
   * Collapses the write-pinned root if it has a single child, and splits it if fissible (the tree
   * grows a level). Returns whether the root's height changed.
   */
  boolean reshapeRoot(Node root) {
    ctx.partitions.prepareChange(root);
    int height = root.height;
    if (root.height > 1 && root.n == 1) {
      collapseRoot(root); // the root stays internal: a height-1 root with one leaf is the smallest tree
    }
    if (!ctx.shape.fissible(root)) {
      return root.height != height;
    }
    // The root keeps its block number: its contents move into new children.
    Node moved = newNode(root);
    moved.markDirty();
    moved.maxMsn = root.maxMsn;
    moved.setInternal(root.height, root.pivots, root.children, root.buffers);
    root.setInternal(moved.height + 1, new byte[0][], new long[] {moved.key()},
        new MessageBuffer[] {new MessageBuffer()});
    root.markDirty();
    ctx.counters.rootSplits.increment();
    splitChild(root, 0, moved);
    return root.height != height;
  }

  /**
   * Root of height 2 or more with one child: flush its buffer down and take the internal child's
   * place (the tree loses a level).
   */
  private void collapseRoot(Node root) {
    Node child = ctx.flusher.pinChildForFlush(root, 0);
    ctx.flusher.flushInto(root, 0, child);
    root.setInternal(child.height, child.pivots, child.children, child.buffers);
    root.maxMsn = Math.max(root.maxMsn, child.maxMsn);
    root.markDirty();
    free(child);
    ctx.counters.rootCollapses.increment();
  }

  /** Splits {@code child} into as many nodes as its size needs; the first keeps its block. */
  private void splitChild(Node parent, int c, Node child) {
    List<Node> pieces = new ArrayList<>();
    List<byte[]> seps = new ArrayList<>();
    if (child.height == 0) {
      // The last child of its parent, grown only at its end by its last flushes: an ascending
      // load. Cut left-heavy (full leaves behind, the rest on the right, where the load goes on).
      boolean sequential = ctx.shape.leftHeavySplits && c == parent.n - 1 && child.appendFlushes >= SEQUENTIAL_FLUSHES;
      int streak = child.appendFlushes;
      splitLeaf(child, pieces, seps, sequential);
      if (sequential) {
        ctx.counters.leftHeavySplits.increment();
        pieces.get(pieces.size() - 1).appendFlushes = streak;
      }
    } else {
      splitInternal(child, pieces, seps);
    }
    if (pieces.size() < 2) {
      // fissible() promises a cut (SplitPlan): a split that changes nothing would repeat forever
      throw new IllegalStateException("split of fissible node " + child.key() + " made one piece: " + child);
    }
    (child.height == 0 ? ctx.counters.leafSplits : ctx.counters.nonleafSplits).increment();
    long[] blocks = new long[pieces.size()];
    MessageBuffer[] bufs = new MessageBuffer[pieces.size()];
    for (int i = 0; i < pieces.size(); i++) {
      blocks[i] = pieces.get(i).key();
      bufs[i] = i == 0 ? parent.buffers[c] : new MessageBuffer();
    }
    // The parent's buffer for the old child must be split by the new separators too.
    MessageBuffer old = parent.buffers[c];
    if (!old.isEmpty() && pieces.size() > 1) {
      MessageBuffer all = old;
      for (int i = 0; i < pieces.size(); i++) {
        bufs[i] = new MessageBuffer();
        all.copyRangeTo(i == 0 ? null : seps.get(i - 1), i == pieces.size() - 1 ? null : seps.get(i), bufs[i]);
      }
    }
    parent.replaceChild(c, blocks, bufs, ListArrays.copy(seps, new byte[seps.size()][]));
    parent.markDirty();
    for (Node p : pieces) {
      ctx.cache.unpinWrite(p);
    }
  }

  /**
   * Cuts a leaf by bytes ({@link SplitPlan#leafCuts}) at basement boundaries. A basement of
   * several entries larger than the basement size (one read from a node built with other sizes,
   * or left after merges) is first rebuilt into basements of the basement size, so a cut can fall
   * between any two entries and a leaf can split down to one entry per piece.
   */
  private void splitLeaf(Node leaf, List<Node> pieces, List<byte[]> seps, boolean leftHeavy) {
    ctx.partitions.prepareChange(leaf);
    List<Basement> units = new ArrayList<>(leaf.n + 4);
    List<byte[]> unitPivots = new ArrayList<>(leaf.n + 4); // unitPivots[j]: lower bound of unit j + 1
    for (int i = 0; i < leaf.n; i++) {
      if (i > 0) {
        unitPivots.add(leaf.pivots[i - 1]);
      }
      Basement b = leaf.basements[i];
      if (b.count() > 1 && b.bytes() > ctx.basementSize) {
        List<Basement> parts = rechunk(b);
        for (int p = 0; p < parts.size(); p++) {
          if (p > 0) {
            unitPivots.add(parts.get(p).key(0));
          }
          units.add(parts.get(p));
        }
      } else {
        units.add(b);
      }
    }
    // Unit j > 0 also carries the pivot before it. The loop reads unitPivots.get(j) for unit j + 1, not
    // get(j - 1) behind j > 0: C2 hoisted that index check out of the loop, where it failed at j = 0.
    long[] sizes = new long[units.size()];
    sizes[0] = units.get(0).bytes();
    for (int j = 0; j < sizes.length - 1; j++) {
      sizes[j + 1] = units.get(j + 1).bytes() + unitPivots.get(j).length + 2;
    }
    int[] cuts = leftHeavy ? SplitPlan.leftHeavyLeafCuts(sizes, ctx.nodeSize) : SplitPlan.leafCuts(sizes, ctx.nodeSize);
    // Not ArrayList.toArray: its copy's type check is speculated on from one profile all callers
    // share, and a Basement[] after byte[][]s threw the compiled splitLeaf away (ListArrays).
    Basement[] all = ListArrays.copy(units, new Basement[units.size()]);
    byte[][] piv = ListArrays.copy(unitPivots, new byte[unitPivots.size()][]);
    for (int p = 0; p <= cuts.length; p++) {
      int from = p == 0 ? 0 : cuts[p - 1];
      int to = p == cuts.length ? all.length : cuts[p];
      Node piece = p == 0 ? leaf : newNode(leaf);
      piece.setLeaf(Arrays.copyOfRange(piv, from, to - 1), Arrays.copyOfRange(all, from, to));
      piece.maxMsn = leaf.maxMsn;
      piece.markDirty();
      if (!leftHeavy) {
        ctx.deltas.giveIndex(piece); // its next flush appends (an ascending load's pieces get none)
      }
      pieces.add(piece);
      if (p > 0) {
        seps.add(piv[from - 1]);
      }
    }
  }

  /** Rebuilds a basement of several entries into basements of at most the basement size each. */
  private List<Basement> rechunk(Basement b) {
    BasementBuilder out = new BasementBuilder(ctx.basementSize, b.bytes(), b.maxMsn());
    byte[] a = b.arena();
    for (int i = 0; i < b.count(); i++) {
      out.emit(a, b.keyOff(i), b.keyLen(i), a, b.valueOff(i), b.valueLen(i));
    }
    return out.finish();
  }

  /** Cuts an internal node by children and pivot bytes ({@link SplitPlan#internalCuts}). */
  private void splitInternal(Node node, List<Node> pieces, List<byte[]> seps) {
    int n = node.n; // node becomes the first piece: read its shape before changing it
    long[] ch = node.children;
    MessageBuffer[] bufs = node.buffers;
    byte[][] piv = node.pivots;
    int[] cuts = SplitPlan.internalCuts(piv, ctx.fanout, ctx.nodeSize);
    for (int p = 0; p <= cuts.length; p++) {
      int start = p == 0 ? 0 : cuts[p - 1];
      int end = p == cuts.length ? n : cuts[p];
      Node piece = p == 0 ? node : newNode(node);
      piece.setInternal(node.height, Arrays.copyOfRange(piv, start, end - 1),
          Arrays.copyOfRange(ch, start, end), Arrays.copyOfRange(bufs, start, end));
      piece.maxMsn = node.maxMsn;
      piece.markDirty();
      pieces.add(piece);
      if (p > 0) {
        seps.add(piv[start - 1]);
      }
    }
  }

  /** Merges fusible {@code child} with a neighbour; rebalances (splits again) if too big. */
  private void mergeChild(Node parent, int c, Node child) {
    if (child.height > 0) {
      merge(parent, c, child);
      return;
    }
    ctx.counters.leafMergesStarted.increment();
    ctx.counters.leafMergesRunning.increment();
    try {
      if (merge(parent, c, child)) {
        ctx.counters.leafMergesCompleted.increment();
      }
    } finally {
      ctx.counters.leafMergesRunning.decrement();
    }
  }

  /** {@link #mergeChild}'s work; false if the two were left as they are. */
  private boolean merge(Node parent, int c, Node child) {
    int l;
    Node left;
    Node right;
    if (c + 1 < parent.n) {
      l = c;
      left = child;
      right = ctx.pinChildWrite(parent, c + 1);
    } else {
      // Latch order is left before right, so let go of the child and take both in order; the
      // parent's write latch keeps everyone else away from both meanwhile.
      l = c - 1;
      ctx.cache.unpinWrite(child);
      left = ctx.pinChildWrite(parent, l);
      right = ctx.pinChildWrite(parent, c);
    }
    byte[] sep = parent.pivots[l];
    ctx.partitions.prepareChange(left);
    ctx.partitions.prepareChange(right);
    if (left.height == 0 && left.bytes() + right.bytes() > ctx.nodeSize && (lone(left) || lone(right))) {
      // A lone entry larger than a node beside a small leaf: merged, they would split again just
      // as they are, rewriting the large entry each time. The small leaf stays as it is.
      ctx.cache.unpinWrite(left);
      ctx.cache.unpinWrite(right);
      return false;
    }
    if (left.height == 0) {
      List<Basement> b = new ArrayList<>(Arrays.asList(left.basements));
      b.addAll(Arrays.asList(right.basements));
      List<byte[]> p = new ArrayList<>(Arrays.asList(left.pivots));
      p.add(sep);
      p.addAll(Arrays.asList(right.pivots));
      LeafMerge.dropEmpty(b, p);
      left.setLeaf(ListArrays.copy(p, new byte[p.size()][]), ListArrays.copy(b, new Basement[b.size()])); // see splitLeaf
    } else {
      left.setInternal(left.height, concat(left.pivots, sep, right.pivots),
          concat(left.children, right.children), concat(left.buffers, right.buffers));
    }
    left.maxMsn = Math.max(left.maxMsn, right.maxMsn);
    left.markDirty();
    parent.removeRightChild(l);
    parent.markDirty();
    free(right);
    if (ctx.shape.fissible(left)) {
      ctx.counters.rebalances.increment();
      splitChild(parent, l, left);
    } else {
      (left.height == 0 ? ctx.counters.leafMerges : ctx.counters.nonleafMerges).increment();
      ctx.cache.unpinWrite(left);
    }
    return true;
  }

  /** Whether leaf {@code leaf} holds at most one entry. */
  private static boolean lone(Node leaf) {
    long entries = 0;
    for (Basement b : leaf.basements) {
      entries += b.count();
    }
    return entries <= 1;
  }

  /** A new node of {@code sameTree}'s tree, published knowing it ({@link NodeOwners}), write-pinned. */
  private Node newNode(Node sameTree) {
    Node fresh = new Node(ctx.file.allocateBlockNumber());
    NodeOwners.adoptFrom(fresh, sameTree);
    return ctx.cache.insertPinned(fresh);
  }

  /** Frees a write-pinned node's block and drops it from the cache. */
  void free(Node node) {
    ctx.partitions.prepareBasements(node); // its delta goes with it, unapplied
    ctx.deltas.free(node);
    node.markFreed();
    long block = node.key();
    ctx.cache.remove(node);
    ctx.file.freeBlockNumber(block);
  }

  private static byte[][] concat(byte[][] a, byte[] mid, byte[][] b) {
    byte[][] out = Arrays.copyOf(a, a.length + 1 + b.length);
    out[a.length] = mid;
    System.arraycopy(b, 0, out, a.length + 1, b.length);
    return out;
  }

  private static long[] concat(long[] a, long[] b) {
    long[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static MessageBuffer[] concat(MessageBuffer[] a, MessageBuffer[] b) {
    MessageBuffer[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
