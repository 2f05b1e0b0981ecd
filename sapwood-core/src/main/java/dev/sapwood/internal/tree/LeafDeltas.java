package dev.sapwood.internal.tree;

/**
 * Bw-tree-style deltas for leaves: a flush into a leaf appends its messages to the leaf's delta (a
 * message run in a block of its own, named in the leaf's header) instead of rewriting the leaf's
 * basements, until the delta would pass {@code ratio} times the leaf's bytes; then the flush
 * consolidates: the delta and the new messages are applied to the basements in one merge pass
 * and the delta is left empty. A leaf whose basements did not change but whose delta did is
 * written back by writing the delta's block alone, so a flush of f bytes into a leaf of L bytes
 * costs about f + f/ratio bytes written instead of L + f (docs/design.md, "Leaf deltas").
 *
 * <p>A delta is a buffer between the leaf's parent and its basements: it holds (key, MSN)-sorted
 * point messages and MSN-sorted range messages exactly as a buffer partition does, a key's
 * messages fold there as in any buffer ({@link Combiner}), and readers merge it like an ancestor's
 * buffer (its messages are newer than anything applied to the basements, and a basement's max
 * MSN skips what it already holds).
 *
 * <p>Invariants: a delta holds only messages for its leaf's key range (range messages may reach
 * past it, as in the buffer they came from); appending never changes the leaf's basements, pivots
 * or header, so no reshape follows an append; anything that changes the basements or the shape
 * of a leaf consolidates first ({@link Partitions#prepareChange}); a leaf is given a delta block
 * only when its whole block is rewritten anyway (a consolidation), so the first append never
 * rewrites the leaf. All methods run with the leaf write-latched.
 */
final class LeafDeltas {
  /** The default ratio: a delta may grow to the leaf's own size before it is consolidated. */
  static final double DEFAULT_RATIO = 1.0;

  private final TreeContext ctx;
  /** How large a delta may grow, as a fraction of its leaf's bytes; 0 turns deltas off. */
  private volatile double ratio = DEFAULT_RATIO;

  LeafDeltas(TreeContext ctx) {
    this.ctx = ctx;
  }

  /** Sets the ratio (0: no new deltas; existing ones are consolidated by their next flush). */
  void ratio(double r) {
    if (!(r >= 0 && r <= 16)) {
      throw new IllegalArgumentException("leaf delta ratio " + r + " outside [0, 16]");
    }
    this.ratio = r;
  }

  double ratio() {
    return ratio;
  }

  /**
   * Whether a flush of {@code buf} into write-latched {@code leaf} should append to its delta:
   * the leaf has a delta block, is within its shape (neither fissible nor fusible, judged from its
   * directory without loading a basement), and the delta with {@code buf} stays within the ratio.
   * May read the delta's header (not its messages).
   */
  boolean shouldAppend(Node leaf, MessageBuffer buf) {
    double r = ratio;
    if (r <= 0 || leaf.height != 0 || leaf.deltaBlock == 0 || buf.isEmpty()) {
      return false;
    }
    long leafBytes = leaf.bytes();
    if (leafBytes > ctx.nodeSize || leafBytes < ctx.nodeSize / 4) {
      return false;
    }
    long deltaBytes = leaf.delta != null ? leaf.delta.bytes() : ctx.partitions.delta(leaf).bytes();
    return deltaBytes + buf.bytes() <= r * leafBytes;
  }

  /**
   * Appends {@code buf} to write-latched {@code leaf}'s delta (after {@link #shouldAppend}): the
   * checkpoint in progress first gets the leaf as it was, then the delta is loaded (never the
   * basements) and the messages merged in. The caller clears or drops {@code buf}.
   */
  void append(Node leaf, MessageBuffer buf) {
    ctx.partitions.writeIfPending(leaf);
    MessageBuffer d = ctx.partitions.delta(leaf);
    mergeInto(d, buf);
    leaf.deltaDirty = true;
    leaf.deltaAppended = true;
    ctx.counters.deltaAppends.increment();
    ctx.counters.deltaBytesIn.add(buf.bytes());
    ctx.cache.account(leaf);
  }

  /**
   * Appends {@code buf} to write-latched leaf {@code child}'s delta with the parent let go first:
   * the buffer is detached while both are latched (the delta loaded and the checkpoint's image of
   * the leaf written before), then the parent is unpinned. Readers of the leaf wait for its latch
   * meanwhile (an append is one merge of the two message runs, no basement is rebuilt).
   */
  void appendReleasingParent(Node parent, int c, Node child, MessageBuffer buf) {
    ctx.partitions.writeIfPending(child);
    ctx.partitions.delta(child);
    parent.buffers[c] = new MessageBuffer();
    parent.dirty = true;
    ctx.cache.unpinWrite(parent);
    ctx.counters.flushes.increment();
    ctx.counters.flushedBytes.add(buf.bytes());
    ctx.counters.flushesReleasingParent.increment();
    ctx.counters.flushesToLeaf.increment();
    ctx.deltas.append(child, buf);
    child.deltaAppended = false;
    ctx.cache.unpinWrite(child);
  }

  /**
   * For a flush that applies {@code buf} to write-latched {@code leaf}'s basements (resident, the
   * checkpoint's image written): the messages to apply, the delta's with {@code buf}'s merged in
   * (one merge pass for both), and the delta left empty. Gives a leaf of at least a quarter node
   * a delta block while deltas are on: its whole block is about to be written anyway.
   */
  MessageBuffer takeForConsolidation(Node leaf, MessageBuffer buf) {
    MessageBuffer incoming = buf;
    if (leaf.deltaBlock != 0) {
      MessageBuffer d = ctx.partitions.delta(leaf);
      if (!d.isEmpty()) {
        mergeInto(d, buf);
        incoming = d;
        leaf.delta = new MessageBuffer();
        leaf.deltaDirty = true;
        ctx.counters.deltaConsolidations.increment();
      }
    } else if (ratio > 0 && leaf.bytes() >= ctx.nodeSize / 4) {
      leaf.deltaBlock = ctx.file.allocateBlockNumber();
      leaf.delta = new MessageBuffer();
      leaf.deltaDirty = true;
      leaf.dirty = true; // the header now names the delta
    }
    return incoming;
  }

  /**
   * Applies write-latched {@code leaf}'s delta to its basements (resident, the checkpoint's image
   * written) and empties it: what {@link Partitions#prepareChange} does before anything changes
   * the basements or the shape of a leaf.
   */
  void consolidate(Node leaf) {
    MessageBuffer d = ctx.partitions.delta(leaf);
    if (d.isEmpty()) {
      return;
    }
    leaf.delta = new MessageBuffer();
    leaf.deltaDirty = true;
    leaf.dirty = true;
    ctx.counters.deltaConsolidations.increment();
    LeafMerge.apply(ctx, leaf, d);
  }

  /**
   * After messages were applied to write-latched {@code leaf}'s basements (its whole block will be
   * written): a leaf left under a quarter node with an empty delta gives its delta block back, so
   * small and emptied leaves keep no block for a delta (a leaf merges before it takes deltas again).
   */
  void afterApply(Node leaf) {
    if (leaf.deltaBlock != 0 && leaf.delta != null && leaf.delta.isEmpty() && leaf.bytes() < ctx.nodeSize / 4) {
      free(leaf);
      leaf.dirty = true; // the header no longer names it
    }
  }

  /** Merges {@code buf}'s messages into delta {@code d}, which holds older ones. */
  private void mergeInto(MessageBuffer d, MessageBuffer buf) {
    for (int r = 0; r < buf.rangeCount(); r++) {
      d.addCopy(buf, buf.range(r));
    }
    // After the ranges: a key's messages fold only if no range message lies between them.
    d.addSortedRun(buf, 0, buf.pointCount(), ctx.combiner);
  }

  /** Frees the delta block of a write-latched leaf that is being freed. */
  void free(Node leaf) {
    if (leaf.height == 0 && leaf.deltaBlock != 0) {
      ctx.file.freeBlockNumber(leaf.deltaBlock);
      leaf.deltaBlock = 0;
      leaf.delta = null;
      leaf.deltaDirty = false;
      leaf.deltaDisk = null;
    }
  }
}
