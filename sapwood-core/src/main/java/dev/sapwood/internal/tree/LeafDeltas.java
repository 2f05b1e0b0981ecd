package dev.sapwood.internal.tree;

/**
 * Bw-tree-style deltas for leaves: a flush into a leaf appends its messages to the leaf's delta
 * instead of rewriting the leaf's basements, until the delta would pass {@code ratio} times the
 * leaf's bytes or hold {@link #MAX_SEGMENTS} segments; then the flush consolidates: every segment
 * and the new messages are applied to the basements in one merge pass and the segments are freed.
 * A delta is a list of immutable segments ({@link DeltaSegment}), oldest first, named by the
 * leaf's delta index block ({@link DeltaIndex}), plus the messages appended since the leaf was last
 * written back ({@code Node.delta}). Writing back a leaf whose basements did not change writes
 * those messages once, as a new segment block, and the small index; a segment is never rewritten,
 * so a flush of f bytes into a leaf of L bytes costs about f bytes plus its share of the next
 * consolidation (docs/design.md, "Leaf deltas").
 *
 * <p>A segment is a buffer between the leaf's parent and its basements: it holds (key, MSN)-sorted
 * point messages and MSN-sorted range messages exactly as a buffer partition does, a key's
 * messages fold within the unwritten messages as in any buffer ({@link Combiner}), and readers
 * merge the segments like ancestors' buffers, oldest first (a later segment's messages are newer:
 * each came with a later flush from the same parent), skipping a segment whose filter rules the
 * key out ({@link DeltaReads}).
 *
 * <p>Invariants: a delta holds only messages for its leaf's key range (range messages may reach
 * past it, as in the buffer they came from); appending never changes the leaf's basements, pivots
 * or header, so no reshape follows an append; anything that changes the basements or the shape
 * of a leaf consolidates first ({@link Partitions#prepareChange}); a leaf is given a delta index
 * only when its whole block is rewritten anyway (a consolidation), so the first append never
 * rewrites the leaf; segments are freed only by a consolidation or the leaf's own free, after the
 * checkpoint in progress got the leaf as it was ({@link Partitions#writeIfPending}), so no
 * checkpoint image names a released segment. All methods run with the leaf write-latched.
 */
final class LeafDeltas {
  /** The default ratio: a delta may grow to the leaf's own size before it is consolidated. */
  static final double DEFAULT_RATIO = 1.0;
  /**
   * The most segments a leaf's delta holds before a flush consolidates it: each costs a get whose
   * key its filter does not rule out (about 1%) one more frame, and the index grows by a filter
   * (docs/design.md, "Leaf deltas", for the measurement).
   */
  static final int MAX_SEGMENTS = 8;

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
   * directory without loading a basement), the delta with {@code buf} stays within the ratio and
   * it has room for one more segment. May read the delta's index (not its segments).
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
    DeltaSegment[] segs = ctx.partitions.deltas.segments(leaf);
    boolean unwritten = leaf.delta != null && !leaf.delta.isEmpty();
    if (segs.length > 0 && segs[0].legacy() || segs.length >= MAX_SEGMENTS && !unwritten) {
      return false; // a format-6 delta written in place, or no room for one more segment
    }
    return bytes(leaf) + buf.bytes() <= r * leafBytes;
  }

  /**
   * Appends {@code buf} to write-latched {@code leaf}'s delta (after {@link #shouldAppend}): the
   * checkpoint in progress first gets the leaf as it was, then the messages are merged into those
   * appended since the leaf was last written back (never into a written segment; the basements
   * are not loaded). The caller clears or drops {@code buf}.
   */
  void append(Node leaf, MessageBuffer buf) {
    ctx.partitions.writeIfPending(leaf);
    ctx.partitions.deltas.segments(leaf);
    if (leaf.delta == null) {
      leaf.delta = new MessageBuffer();
    }
    if (leaf.deltaTailBlock == 0) {
      leaf.deltaTailBlock = ctx.file.allocateBlockNumber(); // see Node.deltaTailBlock
    }
    mergeInto(leaf.delta, buf);
    leaf.deltaDirty = true;
    leaf.deltaAppended = true;
    ctx.counters.deltaAppends.increment();
    ctx.counters.deltaBytesIn.add(buf.bytes());
    ctx.cache.account(leaf);
  }

  /**
   * Appends {@code buf} to write-latched leaf {@code child}'s delta with the parent let go first:
   * the buffer is detached while both are latched (the delta's index read and the checkpoint's image of
   * the leaf written before), then the parent is unpinned. Readers of the leaf wait for its latch
   * meanwhile (an append is one merge of the two message runs, no basement is rebuilt).
   */
  void appendReleasingParent(Node parent, int c, Node child, MessageBuffer buf) {
    ctx.partitions.writeIfPending(child);
    ctx.partitions.deltas.segments(child);
    parent.buffers[c] = new MessageBuffer();
    parent.markDirty();
    ctx.cache.unpinWrite(parent);
    ctx.counters.flushes.increment();
    ctx.counters.flushedBytes.add(buf.bytes());
    ctx.counters.flushesReleasingParent.increment();
    ctx.counters.flushesToLeaf.increment();
    ctx.deltas.append(child, buf);
    buf.clear(); // detached and copied into the delta: its blocks go back to the pool
    child.deltaAppended = false;
    ctx.cache.unpinWrite(child);
  }

  /**
   * For a flush that applies {@code buf} to write-latched {@code leaf}'s basements (resident, the
   * checkpoint's image written): the messages to apply, the delta's (every segment, oldest first)
   * with {@code buf}'s merged in (one merge pass for all), and the delta left empty, its segments
   * freed. Gives a leaf of at least a quarter node a delta index while deltas are on: its whole
   * block is about to be written anyway.
   */
  MessageBuffer takeForConsolidation(Node leaf, MessageBuffer buf) {
    MessageBuffer incoming = buf;
    if (leaf.deltaBlock != 0) {
      MessageBuffer d = takeAll(leaf, buf);
      if (d != null) {
        mergeInto(d, buf);
        incoming = d;
        ctx.counters.deltaConsolidations.increment();
      }
    } else {
      giveIndex(leaf);
    }
    return incoming;
  }

  /**
   * Gives write-latched {@code leaf} an empty delta index if deltas are on, it has none and it
   * holds at least a quarter node: done only when its whole block is written anyway (a
   * consolidating flush, or a split that makes it), so that its next flush can append instead
   * of rewriting it. Without this a leaf made by a split took its first flush as a whole-leaf
   * rewrite (docs/design.md, "Leaf deltas": a fifth of a 20M-key fill's leaf writes).
   */
  void giveIndex(Node leaf) {
    if (ratio > 0 && leaf.height == 0 && leaf.deltaBlock == 0 && leaf.bytes() >= ctx.nodeSize / 4) {
      leaf.deltaBlock = ctx.file.allocateBlockNumber();
      leaf.segments = new DeltaSegment[0];
      leaf.delta = null;
      leaf.deltaDirty = true;
      leaf.markDirty(); // the header now names the delta
    }
  }

  /**
   * Applies write-latched {@code leaf}'s delta to its basements (resident, the checkpoint's image
   * written) and empties it: what {@link Partitions#prepareChange} does before anything changes
   * the basements or the shape of a leaf.
   */
  void consolidate(Node leaf) {
    MessageBuffer d = takeAll(leaf, null);
    if (d == null) {
      return;
    }
    leaf.markDirty();
    ctx.counters.deltaConsolidations.increment();
    LeafMerge.apply(ctx, leaf, d);
    d.clear(); // copied into the basements; no view was published: its blocks go back to the pool
  }

  /**
   * After messages were applied to write-latched {@code leaf}'s basements (its whole block will be
   * written): a leaf left under a quarter node with an empty delta gives its delta block back, so
   * small and emptied leaves keep no block for a delta (a leaf merges before it takes deltas again).
   */
  void afterApply(Node leaf) {
    if (leaf.deltaBlock != 0 && !leaf.deltaMayHoldMessages() && leaf.bytes() < ctx.nodeSize / 4) {
      free(leaf);
      leaf.markDirty(); // the header no longer names it
    }
  }

  /**
   * Every message of write-latched {@code leaf}'s delta in one buffer, segments oldest first then
   * the unwritten messages (null: none), with the segments freed and the delta left empty (its
   * index to be rewritten). Freeing is safe: the caller wrote the leaf for the checkpoint in
   * progress first, and a checkpoint that completed keeps a freed block's extent until the next.
   * {@code extra} (null: none) is what the caller merges in next: the buffer is sized for it too.
   */
  private MessageBuffer takeAll(Node leaf, MessageBuffer extra) {
    DeltaSegment[] segs = ctx.partitions.deltas.segments(leaf);
    MessageBuffer tail = leaf.delta;
    boolean unwritten = tail != null && !tail.isEmpty();
    if (segs.length == 0 && !unwritten) {
      return null;
    }
    MessageBuffer all;
    if (segs.length == 0) {
      all = tail;
    } else {
      int points = extra == null ? 0 : extra.pointCount();
      int ranges = extra == null ? 0 : extra.rangeCount();
      long bytes = extra == null ? 0 : extra.bytes();
      for (DeltaSegment s : segs) {
        points += s.points;
        ranges += s.ranges;
        bytes += s.rawBytes;
      }
      if (unwritten) {
        points += tail.pointCount();
        ranges += tail.rangeCount();
        bytes += tail.bytes();
      }
      all = MessageBuffer.forMerge(points, ranges, bytes);
      for (DeltaSegment s : segs) {
        MessageBuffer whole = ctx.partitions.deltas.whole(leaf, s);
        mergeInto(all, whole);
        s.buf = null;
        whole.clear(); // copied into all, and the segment is dropped below: its blocks go back
      }
      if (unwritten) {
        mergeInto(all, tail);
        tail.clear(); // copied into all, and the leaf lets it go below
      }
    }
    freeSegments(leaf, segs);
    freeTail(leaf);
    leaf.segments = new DeltaSegment[0];
    leaf.delta = null;
    leaf.deltaDirty = true;
    return all;
  }

  /** Gives back the number taken for the unwritten messages' segment (never written). */
  private void freeTail(Node leaf) {
    if (leaf.deltaTailBlock != 0) {
      ctx.file.freeBlockNumber(leaf.deltaTailBlock);
      leaf.deltaTailBlock = 0;
    }
  }

  /** Frees the blocks of {@code segs} (a format-6 delta read in place is the index block itself: kept). */
  private void freeSegments(Node leaf, DeltaSegment[] segs) {
    for (DeltaSegment s : segs) {
      if (s.block != leaf.deltaBlock) {
        ctx.file.freeBlockNumber(s.block);
      }
    }
  }

  /** Bytes of write-latched {@code leaf}'s delta: its segments' raw bytes and its unwritten messages. */
  long bytes(Node leaf) {
    if (leaf.height != 0 || leaf.deltaBlock == 0) {
      return 0;
    }
    long total = leaf.delta != null ? leaf.delta.bytes() : 0;
    for (DeltaSegment s : ctx.partitions.deltas.segments(leaf)) {
      total += s.rawBytes;
    }
    return total;
  }

  /** Whether write-latched {@code leaf}'s delta may hold a range update (a segment with range messages counts). */
  boolean mayHoldRangeUpdate(Node leaf) {
    if (leaf.height != 0 || leaf.deltaBlock == 0) {
      return false;
    }
    for (DeltaSegment s : ctx.partitions.deltas.segments(leaf)) {
      if (s.ranges > 0) {
        return true;
      }
    }
    return leaf.delta != null && leaf.delta.hasRangeUpdate();
  }

  /** Whether latched {@code leaf}'s delta holds no message (reads its index if need be). */
  boolean isEmpty(Node leaf) {
    return leaf.deltaBlock == 0 || ctx.partitions.deltas.segments(leaf).length == 0
        && (leaf.delta == null || leaf.delta.isEmpty());
  }

  /** Merges {@code buf}'s messages into delta {@code d}, which holds older ones. */
  private void mergeInto(MessageBuffer d, MessageBuffer buf) {
    for (int r = 0; r < buf.rangeCount(); r++) {
      d.addCopy(buf, buf.range(r));
    }
    // After the ranges: a key's messages fold only if no range message lies between them.
    d.addSortedRun(buf, 0, buf.pointCount(), ctx.combiner);
  }

  /** Frees the delta index and segment blocks of a write-latched leaf that is being freed (or gives them back). */
  void free(Node leaf) {
    if (leaf.height == 0 && leaf.deltaBlock != 0) {
      freeSegments(leaf, ctx.partitions.deltas.segments(leaf));
      freeTail(leaf);
      ctx.file.freeBlockNumber(leaf.deltaBlock);
      leaf.deltaBlock = 0;
      leaf.segments = null;
      leaf.delta = null;
      leaf.deltaDirty = false;
    }
  }
}
