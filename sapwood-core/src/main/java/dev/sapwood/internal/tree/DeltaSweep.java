package dev.sapwood.internal.tree;

/**
 * Consolidates, once writes stop, the leaves whose delta mostly repeats keys their basements
 * already hold (docs/design.md, "Space held by deltas of overwrites"). A leaf's delta may grow to
 * the leaf's own bytes ({@link LeafDeltas}) before a flush consolidates it; under random
 * overwrites every key of it is also in the basements, so a leaf holds on average half its bytes
 * again in superseded values, and the file stays that much larger than the data after the writes
 * stopped. Applying such a delta writes the leaf whole once and gives the repeated bytes back; a
 * delta of new keys (a fill) gives nothing back, so a leaf is consolidated only when the bytes of
 * its delta's messages whose keys its basements hold are at least {@link #MIN_SHARE} of the
 * leaf's own bytes: the file gains at least half of what the sweep writes.
 *
 * <p>A step walks one root-to-leaf path from a key, write-latching hand over hand as {@link
 * Optimizer} does (the leaf's parent stays latched while its leaf is looked at, since a leaf that a
 * consolidation leaves larger than a node is split there), and returns the first key past the leaf
 * it reached: where the next step starts; null once the last leaf is done. A consolidation is what
 * any reshape does first ({@link Partitions#prepareChange}), then the leaf is reshaped as after a
 * flush ({@link Reshaper#reshapeChild}); nothing else changes, so crash safety is that of any leaf
 * change: the leaf is dirty until the next checkpoint writes it.
 *
 * <p>Its changes are not writes going on ({@code CacheTable.runUnnoted}, as the cleaner's): the
 * cache goes quiet as it would without them. Thread-safe (per step, through the latches).
 */
public final class DeltaSweep {
  /** Repeated bytes in a leaf's delta, over the leaf's own bytes, for it to be consolidated. */
  static final double MIN_SHARE = 0.5;

  private final TreeContext ctx;
  private final Flusher flusher;

  DeltaSweep(TreeContext ctx, Flusher flusher) {
    this.ctx = ctx;
    this.flusher = flusher;
  }

  /**
   * What one step did: where the next starts (null: done), whether it consolidated the leaf it
   * reached, and the bytes of that leaf's delta messages whose keys its basements held (0 if the
   * delta was too small to look).
   */
  public record Step(byte[] next, boolean consolidated, long repeatedBytes) {}

  /** One step of tree {@code rootBlock} from key {@code from} (the empty key: the start). */
  public Step step(long rootBlock, byte[] from) {
    return ctx.cache.runUnnoted(() -> ctx.guarded(() -> stepUnguarded(rootBlock, from)));
  }

  private Step stepUnguarded(long rootBlock, byte[] from) {
    Node node = ctx.pinRootWrite(rootBlock);
    byte[] hi = null;
    while (node.height > 1) {
      int c = node.partitionFor(from);
      hi = Keys.minHigh(hi, node.upperBound(c));
      Node child = ctx.pinChildWrite(node, c);
      ctx.cache.unpinWrite(node);
      node = child;
    }
    int c = node.partitionFor(from);
    hi = Keys.minHigh(hi, node.upperBound(c));
    Node leaf = ctx.pinChildWrite(node, c);
    long repeated = 0;
    boolean consolidate = false;
    long leafBytes = leaf.bytes();
    if (ctx.deltas.bytes(leaf) >= MIN_SHARE * leafBytes && !ctx.deltas.isEmpty(leaf)) {
      ctx.partitions.loadAll(leaf);
      repeated = repeatedBytes(leaf);
      consolidate = repeated >= MIN_SHARE * leafBytes;
    }
    if (consolidate) {
      ctx.counters.sweptLeaves.increment();
      ctx.counters.sweptRepeatedBytes.add(repeated);
      flusher.reshaper().reshapeChild(node, c, leaf); // consolidates first, then splits if need be
    } else {
      ctx.cache.unpinWrite(leaf);
    }
    ctx.cache.unpinWrite(node);
    if (consolidate) {
      // A split of the leaf may have left the root with too many children: reshape it as a
      // writer's flush (and the optimizer) would.
      Node root = ctx.pinRootWrite(rootBlock);
      ctx.partitions.prepareChange(root);
      flusher.reshaper().reshapeRoot(root);
      ctx.cache.unpinWrite(root);
    }
    return new Step(hi, consolidate, repeated);
  }

  /** Bytes of write-latched {@code leaf}'s delta messages (basements resident) whose keys a basement holds. */
  private long repeatedBytes(Node leaf) {
    long total = 0;
    for (DeltaSegment s : ctx.partitions.deltas.segments(leaf)) {
      total += repeatedBytes(leaf, ctx.partitions.deltas.whole(leaf, s));
    }
    if (leaf.delta != null) {
      total += repeatedBytes(leaf, leaf.delta);
    }
    return total;
  }

  private static long repeatedBytes(Node leaf, MessageBuffer b) {
    long total = 0;
    for (int i = 0; i < b.pointCount(); i++) {
      int rec = b.point(i);
      byte[] key = b.copyKey(rec);
      if (leaf.basements[leaf.partitionFor(key)].find(key) >= 0) {
        total += b.recordSize(rec);
      }
    }
    return total;
  }
}
