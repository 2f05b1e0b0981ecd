package dev.sapwood.internal.tree;

/**
 * Moves messages down the tree (TokuFT's flusher, ft-flusher.cc). When an internal node is gorged (its buffers
 * hold more than a node's worth of bytes) it flushes its heaviest child's buffer: into the child's
 * own buffers by the child's pivots, or, for a leaf, merged into its basements. Then the child is
 * reshaped ({@link Reshaper}): split if fissible, merged or rebalanced with a sibling if fusible,
 * and flushed in turn (a cascade) if it is now gorged itself.
 *
 * <p>Locking: the caller holds the parent's write latch; the flusher write-latches the child
 * (parent before child), so readers coupling down the same path wait and never see a message in
 * neither or both places. One exception: while a flush that let go of the parent rebuilds a
 * leaf's basements, readers of that leaf read its view instead of waiting ({@link FlushView},
 * which states the protocol and its invariants).
 */
final class Flusher {
  private final TreeContext ctx;
  private final Reshaper reshaper;
  /** Parents of leaves this flush brought into memory, parked again when it is done. */
  private final FlushParking parking;
  /** For tests only ({@link #onBuild}). */
  private volatile java.util.function.Consumer<FlushView> buildHook;

  Flusher(TreeContext ctx, Reshaper reshaper) {
    this.ctx = ctx;
    this.reshaper = reshaper;
    this.parking = new FlushParking(ctx);
  }

  Reshaper reshaper() {
    return reshaper;
  }

  /**
   * Flushes from the write-pinned root until it is no longer gorged, reshaping the root as needed.
   * A child left gorged by a flush is drained in turn (a cascade) after the root's latch is let go,
   * so writers can go on filling the root meanwhile. Takes over the root's pin.
   */
  void flushFromRoot(Node root) {
    long rootBlock = root.key();
    while (true) {
      Node next = null;
      if (ctx.shape.gorged(root)) {
        int c = heaviestChild(root);
        Node child = pinIdleChild(root, c);
        if (child == null) {
          child = pinChildForFlush(root, c);
        } else {
          c = childIndex(root, child);
        }
        // Past twice its size the root stays latched until it is flushed below that: writers wait
        // instead of adding more, so the root never holds more than 2 nodes and one message.
        if (root.bufferBytes() <= 2L * ctx.nodeSize && flushReleasingParent(root, c, child)) {
          parking.park();
          root = ctx.pinRootWrite(rootBlock);
          continue;
        }
        flushInto(root, c, child);
        next = reshaper.reshapeChild(root, c, child);
      }
      // A root left with one internal child (the cleaner merged its children and does not reshape
      // roots) collapses into that child, which is freed: a child kept pinned for a cascade would
      // be the freed node, and the cascade's splits would change it instead of the root, orphaning
      // their new pieces. Let it go; the root, now holding its messages, is flushed on instead.
      boolean collapses = next != null && root.height > 1 && root.n == 1;
      if (collapses) {
        ctx.cache.unpinWrite(next);
        next = null;
      }
      reshaper.reshapeRoot(root);
      if (collapses && ctx.shape.gorged(root)) {
        continue;
      }
      ctx.cache.unpinWrite(root);
      if (next != null) {
        ctx.counters.cascadeCount(cascade(next, 1));
      }
      parking.park();
      if (next == null) {
        return;
      }
      root = ctx.pinRootWrite(rootBlock);
    }
  }

  /**
   * Flushes write-pinned internal {@code node}'s heaviest child once, reshaping it and cascading
   * into it if that left it gorged; unpins {@code node}. The cleaner's step.
   */
  void flushOnce(Node node) {
    int c = heaviestChild(node);
    Node child = pinChildForFlush(node, c);
    if (!flushReleasingParent(node, c, child)) {
      flushInto(node, c, child);
      Node next = reshaper.reshapeChild(node, c, child);
      if (next != null) {
        ctx.counters.cascadeCount(cascade(next, 1));
      }
      ctx.cache.unpinWrite(node);
    }
    parking.park();
  }

  /**
   * Write-pins, without waiting, the child of write-pinned {@code parent} to flush into if the
   * heaviest one, {@code heaviest}, is cached but latched by another thread (a flusher cascading
   * below it): that child if free by now, else the heaviest cached child whose latch is free and
   * whose buffer holds at least half of the heaviest's bytes. Null if none is (the caller then
   * waits for the heaviest) or if the heaviest is not cached (a read is needed anyway). Waiting
   * held the root latched, and the writers behind it, for as long as the other flusher's cascade.
   */
  private Node pinIdleChild(Node parent, int heaviest) {
    if (parent.height < 2 || !ctx.cache.isCached(parent.children[heaviest])) {
      return null;
    }
    Node child = ctx.pinChildWriteIfCached(parent, heaviest, false);
    long floor = parent.buffers[heaviest].bytes() / 2;
    for (int i = 0; child == null && i < parent.n; i++) {
      if (i != heaviest && parent.buffers[i].bytes() >= floor && parent.buffers[i].bytes() > 0) {
        child = ctx.pinChildWriteIfCached(parent, i, false);
      }
    }
    if (child != null) {
      parking.note(child, countFlushPin(true, child));
    }
    return child;
  }

  private static int childIndex(Node parent, Node child) {
    for (int i = 0; i < parent.n; i++) {
      if (parent.children[i] == child.key()) {
        return i;
      }
    }
    throw new IllegalStateException("block " + child.key() + " is not a child of " + parent.key());
  }

  /**
   * Write-pins child {@code c} for a flush into it, counting whether the flush found it whole in
   * memory or had to read (a node or a partition) first (TokuFT's "flushes in memory" and "flushes
   * needing I/O"); a parent of leaves it had to read is noted to be parked after the flush ({@link
   * FlushParking}).
   */
  Node pinChildForFlush(Node parent, int c) {
    boolean cached = ctx.cache.isCached(parent.children[c]);
    Node child = ctx.pinChildWrite(parent, c);
    parking.note(child, countFlushPin(cached, child));
    return child;
  }

  /**
   * Counts a flush into {@code child}, pinned just now; {@code cached}: it was cached before.
   * Returns whether the flush found it whole in memory.
   */
  boolean countFlushPin(boolean cached, Node child) {
    boolean whole = cached && child.loadedWhole();
    (whole ? ctx.counters.flushesInMemory : ctx.counters.flushesNeedingIo).increment();
    return whole;
  }

  /**
   * Flushes write-pinned {@code node} until it is no longer gorged, draining gorged children in
   * turn; holds {@code node} meanwhile and unpins it at the end. Every node therefore stays within
   * about its size plus one incoming buffer: flushing only one child per visit would let a node
   * grow to fanout times its size. Returns the number of flushes it made (its own and below).
   */
  private int cascade(Node node, int depth) {
    ctx.counters.cascade(depth);
    int flushes = 0;
    while (ctx.shape.gorged(node)) {
      int c = heaviestChild(node);
      Node child = pinChildForFlush(node, c);
      flushInto(node, c, child);
      flushes++;
      Node next = reshaper.reshapeChild(node, c, child);
      if (next != null) {
        flushes += cascade(next, depth + 1);
      }
    }
    ctx.cache.unpinWrite(node);
    return flushes;
  }

  /**
   * Flushes {@code parent.buffers[c]} into write-pinned {@code child} with the parent's latch let
   * go first, if the child will need no reshaping by its parent (it is neither fissible nor
   * fusible now, and a leaf will not outgrow its node size with these messages: a range update
   * may grow every value it reaches, so a buffer holding one is flushed with the parent held). The messages are
   * detached from the parent while both are write-latched, then the parent is unpinned: readers
   * and writers go on using the parent and its other children, and a reader bound for this child
   * waits on the child's latch until the messages are in it, so none is ever seen in neither
   * place (TokuFT's flusher does the same) — except for a leaf, whose readers read the leaf as
   * it was with the messages beside it while its basements are rebuilt ({@link FlushView}). A child left gorged is then drained (a cascade).
   * Returns false, having changed nothing, if the child may need reshaping: the caller then
   * flushes with the parent held.
   */
  private boolean flushReleasingParent(Node parent, int c, Node child) {
    ctx.partitions.prepareChange(parent);
    MessageBuffer buf = parent.buffers[c];
    if (child.height == 0 && ctx.deltas.shouldAppend(child, buf)) {
      ctx.deltas.appendReleasingParent(parent, c, child, buf);
      return true;
    }
    if (child.height == 0) {
      ctx.partitions.prepareBasements(child);
    } else {
      ctx.partitions.prepareChange(child);
    }
    long deltaBytes = child.height == 0 ? ctx.deltas.bytes(child) : 0;
    if (buf.isEmpty() || ctx.shape.fissible(child) || ctx.shape.fusible(child)
        || (child.height == 0 && (child.bytes() + deltaBytes + buf.bytes() > ctx.nodeSize || buf.hasRangeUpdate()
            || ctx.deltas.mayHoldRangeUpdate(child)))) {
      return false;
    }
    parent.buffers[c] = new MessageBuffer();
    parent.markDirty();
    child.markDirty();
    ctx.cache.unpinWrite(parent);
    ctx.counters.flushes.increment();
    ctx.counters.flushedBytes.add(buf.bytes());
    ctx.counters.flushesReleasingParent.increment();
    if (child.height > 0) {
      distribute(buf, child);
      buf.clear(); // detached and copied: nobody else reaches it, so its blocks go back to the pool
    } else {
      ctx.counters.flushesToLeaf.increment();
      MessageBuffer incoming = ctx.deltas.takeForConsolidation(child, buf);
      if (incoming != buf) {
        buf.clear(); // merged into the delta's messages, which the view gets: nobody reaches buf
      }
      applyBesideReaders(child, incoming);
    }
    if (ctx.shape.gorged(child)) {
      ctx.counters.cascadeCount(cascade(child, 1));
    } else {
      ctx.cache.unpinWrite(child);
    }
    return true;
  }

  /**
   * Applies {@code buf}, detached from the leaf's parent, to the write-latched {@code leaf} while
   * its readers read the leaf as it was with {@code buf} beside it ({@link FlushView}: published
   * before the build, cleared after the swap, both under the leaf's write latch).
   */
  private void applyBesideReaders(Node leaf, MessageBuffer buf) {
    FlushView view = new FlushView(leaf.pivots, leaf.basements.clone(), buf);
    leaf.view = view;
    try {
      java.util.function.Consumer<FlushView> hook = buildHook;
      if (hook != null) {
        hook.accept(view);
      }
      LeafMerge.apply(ctx, leaf, buf);
    } finally {
      leaf.view = null;
    }
  }

  /**
   * For tests only: runs on the flushing thread after a flush published its view of a leaf and
   * before it builds the new basements (the leaf write-latched, its parent let go). Null: nothing.
   */
  void onBuild(java.util.function.Consumer<FlushView> hook) {
    this.buildHook = hook;
  }

  int heaviestChild(Node parent) {
    ctx.partitions.prepareChange(parent);
    int best = 0;
    for (int i = 1; i < parent.n; i++) {
      if (parent.buffers[i].bytes() > parent.buffers[best].bytes()) {
        best = i;
      }
    }
    return best;
  }

  /** Moves all of {@code parent.buffers[c]} into the write-latched {@code child}. */
  void flushInto(Node parent, int c, Node child) {
    flushInto(parent, c, child, true);
  }

  /**
   * Moves all of {@code parent.buffers[c]} into the write-latched {@code child}; into a leaf's
   * delta if {@code deltas} allows it and {@link LeafDeltas#shouldAppend} says so (then the child's
   * basements are not even loaded, and {@link Reshaper#reshapeChild} leaves it as it is).
   */
  void flushInto(Node parent, int c, Node child, boolean deltas) {
    ctx.partitions.prepareChange(parent);
    MessageBuffer buf = parent.buffers[c];
    if (buf.isEmpty()) {
      ctx.partitions.prepareChange(child);
      return;
    }
    ctx.counters.flushes.increment();
    ctx.counters.flushedBytes.add(buf.bytes());
    if (child.height > 0) {
      ctx.partitions.prepareChange(child);
      distribute(buf, child);
      child.markDirty();
    } else if (deltas && ctx.deltas.shouldAppend(child, buf)) {
      ctx.counters.flushesToLeaf.increment();
      ctx.deltas.append(child, buf);
    } else {
      ctx.counters.flushesToLeaf.increment();
      ctx.partitions.prepareBasements(child);
      MessageBuffer incoming = ctx.deltas.takeForConsolidation(child, buf);
      child.appendFlushes = LeafMerge.appendsAtEnd(child, incoming) ? child.appendFlushes + 1 : 0;
      LeafMerge.apply(ctx, child, incoming);
      child.markDirty();
      if (incoming != buf) {
        incoming.clear(); // the delta's messages merged with buf, copied into the basements
      }
    }
    buf.clear();
    parent.markDirty();
  }

  /**
   * Routes every message of {@code buf} to the child buffers of internal node {@code node}, folding
   * each key's messages there as the root's inserts do ({@link Combiner}).
   */
  void distribute(MessageBuffer buf, Node node) {
    long maxMsn = node.maxMsn;
    for (int j = 0; j < node.n; j++) {
      byte[] lo = node.lowerBound(j);
      byte[] hi = node.upperBound(j);
      for (int r = 0; r < buf.rangeCount(); r++) {
        int rec = buf.range(r);
        if (buf.rangeOverlaps(rec, lo, hi)) {
          node.buffers[j].addCopy(buf, rec);
        }
      }
      // After the ranges: a key's messages fold only if no range message lies between them.
      node.buffers[j].addSortedRun(buf, buf.lowerBound(lo), buf.lowerBoundOrEnd(hi), ctx.combiner);
    }
    node.maxMsn = Math.max(maxMsn, buf.maxMsn());
  }
}
