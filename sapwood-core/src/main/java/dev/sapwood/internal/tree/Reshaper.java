package dev.sapwood.internal.tree;

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
  private final TreeContext ctx;
  private final Flusher flusher;

  Reshaper(TreeContext ctx, Flusher flusher) {
    this.ctx = ctx;
    this.flusher = flusher;
  }

  /**
   * Reshapes write-pinned {@code child} (partition c of write-latched {@code parent}) after a
   * flush. Returns the child still pinned if it is internal and gorged (the caller cascades into
   * it); otherwise unpins everything it pinned and returns null.
   */
  Node reshapeChild(Node parent, int c, Node child) {
    ctx.partitions.prepareChange(parent);
    ctx.partitions.prepareChange(child);
    if (ctx.fissible(child)) {
      splitChild(parent, c, child);
      return null;
    }
    if (ctx.fusible(child) && parent.n > 1) {
      mergeChild(parent, c, child);
      return null;
    }
    if (ctx.gorged(child)) {
      return child;
    }
    ctx.cache.unpinWrite(child);
    return null;
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
    if (!ctx.fissible(root)) {
      return root.height != height;
    }
    // The root keeps its block number: its contents move into new children.
    Node moved = ctx.cache.insertPinned(new Node(ctx.file.allocateBlockNumber()));
    moved.dirty = true;
    moved.maxMsn = root.maxMsn;
    moved.setInternal(root.height, root.pivots, root.children, root.buffers);
    root.setInternal(moved.height + 1, new byte[0][], new long[] {moved.key()},
        new MessageBuffer[] {new MessageBuffer()});
    root.dirty = true;
    ctx.counters.rootSplits.increment();
    splitChild(root, 0, moved);
    return root.height != height;
  }

  /**
   * Root of height 2 or more with one child: flush its buffer down and take the internal child's
   * place (the tree loses a level).
   */
  private void collapseRoot(Node root) {
    Node child = ctx.pinChildWrite(root, 0);
    flusher.flushInto(root, 0, child);
    root.setInternal(child.height, child.pivots, child.children, child.buffers);
    root.maxMsn = Math.max(root.maxMsn, child.maxMsn);
    root.dirty = true;
    free(child);
    ctx.counters.rootCollapses.increment();
  }

  /** Splits {@code child} into as many nodes as its size needs; the first keeps its block. */
  private void splitChild(Node parent, int c, Node child) {
    List<Node> pieces = new ArrayList<>();
    List<byte[]> seps = new ArrayList<>();
    if (child.height == 0) {
      splitLeaf(child, pieces, seps);
      ctx.counters.leafSplits.increment();
    } else {
      splitInternal(child, pieces, seps);
      ctx.counters.nonleafSplits.increment();
    }
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
    parent.replaceChild(c, blocks, bufs, seps.toArray(new byte[0][]));
    parent.dirty = true;
    for (Node p : pieces) {
      ctx.cache.unpinWrite(p);
    }
  }

  private void splitLeaf(Node leaf, List<Node> pieces, List<byte[]> seps) {
    ctx.partitions.prepareChange(leaf);
    if (leaf.n == 1) {
      halveSingleBasement(leaf);
    }
    long total = leaf.bytes();
    int k = (int) Math.max(2, Math.min(leaf.n, (total + ctx.nodeSize * 3L / 4 - 1) / (ctx.nodeSize * 3L / 4)));
    long perPiece = total / k;
    int start = 0;
    long acc = 0;
    List<int[]> ranges = new ArrayList<>();
    for (int i = 0; i < leaf.n; i++) {
      acc += leaf.basements[i].bytes();
      boolean last = i == leaf.n - 1;
      int remainingPieces = k - ranges.size() - 1;
      if (last || (acc >= perPiece && remainingPieces > 0 && leaf.n - 1 - i >= remainingPieces)) {
        ranges.add(new int[] {start, i + 1});
        start = i + 1;
        acc = 0;
      }
    }
    Basement[] all = leaf.basements;
    byte[][] piv = leaf.pivots;
    for (int p = 0; p < ranges.size(); p++) {
      int from = ranges.get(p)[0];
      int to = ranges.get(p)[1];
      Node piece = p == 0 ? leaf : newNode();
      piece.setLeaf(Arrays.copyOfRange(piv, from, to - 1), Arrays.copyOfRange(all, from, to));
      piece.maxMsn = leaf.maxMsn;
      piece.dirty = true;
      pieces.add(piece);
      if (p > 0) {
        seps.add(piv[from - 1]);
      }
    }
  }

  /** A leaf with one basement of several entries: split that basement in two by entries. */
  private void halveSingleBasement(Node leaf) {
    Basement b = leaf.basements[0];
    int half = b.count() / 2;
    BasementBuilder left = new BasementBuilder(Integer.MAX_VALUE, b.bytes(), b.maxMsn());
    BasementBuilder right = new BasementBuilder(Integer.MAX_VALUE, b.bytes(), b.maxMsn());
    byte[] a = b.arena();
    for (int i = 0; i < b.count(); i++) {
      (i < half ? left : right).emit(a, b.keyOff(i), b.keyLen(i), a, b.valueOff(i), b.valueLen(i));
    }
    Basement r = right.finish().get(0);
    leaf.setLeaf(new byte[][] {r.key(0)}, new Basement[] {left.finish().get(0), r});
    leaf.dirty = true;
  }

  private void splitInternal(Node node, List<Node> pieces, List<byte[]> seps) {
    int n = node.n; // node becomes the first piece: read its shape before changing it
    int k = Math.max(2, (n + ctx.fanout - 1) / ctx.fanout);
    int per = n / k;
    int start = 0;
    long[] ch = node.children;
    MessageBuffer[] bufs = node.buffers;
    byte[][] piv = node.pivots;
    for (int p = 0; p < k; p++) {
      int end = p == k - 1 ? n : start + per;
      Node piece = p == 0 ? node : newNode();
      piece.setInternal(node.height, Arrays.copyOfRange(piv, start, end - 1),
          Arrays.copyOfRange(ch, start, end), Arrays.copyOfRange(bufs, start, end));
      piece.maxMsn = node.maxMsn;
      piece.dirty = true;
      pieces.add(piece);
      if (p > 0) {
        seps.add(piv[start - 1]);
      }
      start = end;
    }
  }

  /** Merges fusible {@code child} with a neighbour; rebalances (splits again) if too big. */
  private void mergeChild(Node parent, int c, Node child) {
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
    if (left.height == 0) {
      List<Basement> b = new ArrayList<>(Arrays.asList(left.basements));
      b.addAll(Arrays.asList(right.basements));
      List<byte[]> p = new ArrayList<>(Arrays.asList(left.pivots));
      p.add(sep);
      p.addAll(Arrays.asList(right.pivots));
      Flusher.dropEmpty(b, p);
      left.setLeaf(p.toArray(new byte[0][]), b.toArray(new Basement[0]));
    } else {
      left.setInternal(left.height, concat(left.pivots, sep, right.pivots),
          concat(left.children, right.children), concat(left.buffers, right.buffers));
    }
    left.maxMsn = Math.max(left.maxMsn, right.maxMsn);
    left.dirty = true;
    parent.removeRightChild(l);
    parent.dirty = true;
    free(right);
    if (ctx.fissible(left)) {
      ctx.counters.rebalances.increment();
      splitChild(parent, l, left);
    } else {
      (left.height == 0 ? ctx.counters.leafMerges : ctx.counters.nonleafMerges).increment();
      ctx.cache.unpinWrite(left);
    }
  }

  private Node newNode() {
    return ctx.cache.insertPinned(new Node(ctx.file.allocateBlockNumber()));
  }

  /** Frees a write-pinned node's block and drops it from the cache. */
  void free(Node node) {
    ctx.partitions.prepareChange(node);
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
