package dev.sapwood.internal.tree;

import java.util.ArrayList;
import java.util.List;

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
 * <p>Locking: one step write-latches one path, parent before child, and holds it until the leaf
 * is done (a few flushes: each moves at most about a node's worth of messages), then reshapes the
 * root as a writer's flush does. Writers to the same tree wait for the root meanwhile; that wait
 * is the step's length, reported as {@code optimize.step_micros_max}. Thread-safe.
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
   * flushes it made, and whether it changed the tree's shape (a split, merge or root change).
   */
  public record Step(byte[] next, long leafEntries, int flushes, boolean reshaped) {}

  /** One step of tree {@code rootBlock} from key {@code from} (the empty key: the start). */
  public Step step(long rootBlock, byte[] from) {
    return ctx.guarded(() -> stepUnguarded(rootBlock, from));
  }

  private Step stepUnguarded(long rootBlock, byte[] from) {
    List<Node> path = new ArrayList<>();
    Node node = ctx.pinRootWrite(rootBlock);
    path.add(node);
    byte[] hi = null;
    int flushes = 0;
    boolean reshaped = false;
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
          flusher.flushInto(node, c, child);
          flushes++;
        }
        int before = node.n;
        Node kept = flusher.reshaper().reshapeChild(node, c, child);
        reshaped |= node.n != before;
        if (kept != null) {
          child = kept; // still gorged elsewhere: left for the cleaner; this path goes on
          c = node.partitionFor(from);
          break;
        }
        // split, merged or unpinned: find the child for this key again
      }
      ctx.partitions.prepareChange(child);
      hi = Keys.minHigh(hi, node.upperBound(c));
      path.add(child);
      node = child;
    }
    long entries = 0;
    ctx.partitions.prepareChange(node);
    for (int i = 0; i < node.n; i++) {
      entries += node.basements[i].count();
    }
    for (int i = path.size() - 1; i >= 1; i--) {
      ctx.cache.unpinWrite(path.get(i));
    }
    Node root = path.get(0);
    reshaped |= flusher.reshaper().reshapeRoot(root);
    ctx.cache.unpinWrite(root);
    return new Step(hi, entries, flushes, reshaped);
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
