package dev.sapwood.internal.tree;

/**
 * Online optimize (PerconaFT's hot optimize): drains a tree's buffers down to the leaves one
 * root-to-leaf path at a time, in key order, so readers and writers go on between steps. A step
 * starts from a key, flushes on the way down the buffer that leads towards it at every level
 * (reshaping each child as a flush does), and returns the first key past the leaf it reached —
 * where the next step starts; null once the last leaf is done. A caller that records the returned
 * key can resume after a restart; doing a range again is harmless (draining is idempotent).
 *
 * <p>Messages written after a step passed their key range stay buffered: an optimize drains what
 * was there when it went by, as TokuFT's does.
 *
 * <p>Locking: one step write-latches one path, parent before child, hand over hand: a node is
 * let go once the flush into its child (and the child's reshaping, which needs the parent) is
 * done, as a flush cascade does; at the end the root is latched again and reshaped as a writer's
 * flush does. Writers to the same tree wait for the root for at most one level's flushes (each
 * moves at most about a node's worth of messages). A child left fissible by a split below it is
 * reshaped by its parent's next flush, as after a cascade. Thread-safe.
 */
public final class Optimizer {
  /** Flushes into one child before the step goes down anyway (a merge may bring messages back). */
  private static final int MAX_TRIES = 8;

  private final TreeContext ctx;
  private final Flusher flusher;

  Optimizer(TreeContext ctx, Flusher flusher) {
    this.ctx = ctx;
    this.flusher = flusher;
  }

  /**
   * What one step did: where the next starts (null: done), the entries of the leaf it reached, the
   * flushes it made, whether it changed the tree's shape (a split, merge or root change), and
   * whether it shrank it (a merge, or the root losing a level): only a shrinking can leave the
   * level above small for a later walk to merge.
   */
  public record Step(byte[] next, long leafEntries, int flushes, boolean reshaped, boolean shrank) {}

  /** One step of tree {@code rootBlock} from key {@code from} (the empty key: the start). */
  public Step step(long rootBlock, byte[] from) {
    return ctx.guarded(() -> stepUnguarded(rootBlock, from));
  }

  /** {@link #step} for a caller already in {@link TreeContext#guarded} (the quiet drain, {@link DeltaSweep}). */
  Step stepUnguarded(long rootBlock, byte[] from) {
    Node node = ctx.pinRootWrite(rootBlock);
    byte[] hi = null;
    int flushes = 0;
    boolean reshaped = false;
    boolean shrank = false;
    while (node.height > 0) {
      ctx.partitions.prepareChange(node);
      int c;
      Node child;
      for (int tries = 0;; tries++) {
        c = node.partitionFor(from);
        boolean cached = ctx.cache.isCached(node.children[c]);
        child = ctx.pinChildWrite(node, c);
        boolean empty = node.buffers[c].isEmpty();
        if (tries >= MAX_TRIES || (empty && !misshapen(node, child))) {
          break;
        }
        if (!empty) {
          flusher.countFlushPin(cached, child);
          flusher.flushInto(node, c, child, false); // optimize applies messages to the basements
          flushes++;
        }
        int before = node.n;
        Node kept = flusher.reshaper().reshapeChild(node, c, child);
        reshaped |= node.n != before;
        shrank |= node.n < before;
        if (kept != null) {
          child = kept; // still gorged elsewhere: left for the cleaner; this path goes on
          c = node.partitionFor(from);
          break;
        }
        // split, merged or unpinned: find the child for this key again
      }
      ctx.partitions.prepareChange(child);
      hi = Keys.minHigh(hi, node.upperBound(c));
      // Hand over hand: the parent is done with, and the child cannot be merged away while this
      // step holds it (a merge latches it), so the root is held for one level's flushes only.
      ctx.cache.unpinWrite(node);
      node = child;
    }
    long entries = 0;
    ctx.partitions.prepareChange(node);
    for (int i = 0; i < node.n; i++) {
      entries += node.basements[i].count();
    }
    ctx.cache.unpinWrite(node);
    // The flush below the root may have left it with too many children (or one): reshape it as a
    // writer's flush would.
    Node root = ctx.pinRootWrite(rootBlock);
    ctx.partitions.prepareChange(root);
    int height = root.height;
    reshaped |= flusher.reshaper().reshapeRoot(root);
    shrank |= root.height < height;
    ctx.cache.unpinWrite(root);
    return new Step(hi, entries, flushes, reshaped, shrank);
  }

  /**
   * Whether {@code child} would be split or merged by its parent (so a tree emptied by deletes
   * merges back down as the walk passes, as draining does).
   */
  private boolean misshapen(Node parent, Node child) {
    ctx.partitions.prepareChange(child);
    return ctx.shape.fissible(child) || (ctx.shape.fusible(child) && parent.n > 1);
  }
}
