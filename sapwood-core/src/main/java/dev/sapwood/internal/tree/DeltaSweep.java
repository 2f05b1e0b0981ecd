package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.Pins;

/**
 * Consolidates, once writes stop, the leaves whose delta mostly repeats keys their basements
 * already hold (docs/design.md, "Space held by deltas of overwrites"). A leaf's delta may grow to
 * the leaf's own bytes ({@link LeafDeltas}) before a flush consolidates it; under random
 * overwrites every key of it is also in the basements, so a leaf holds on average half its bytes
 * again in superseded values, and the file stays that much larger than the data after the writes
 * stopped. Applying such a delta writes the leaf whole once and gives the repeated bytes back; a
 * delta of new keys (a fill) gives nothing back, so a leaf is consolidated only when the bytes of
 * its delta's messages whose keys its basements hold are at least {@link #MIN_SHARE} of the
 * leaf's own bytes: the file gains at least a quarter of what the sweep writes.
 *
 * <p>A step first looks at the leaf of its key under read latches, coupled down the path as a
 * reader's are: where the next step starts (the first key past the leaf; null once the last leaf
 * is done) and whether the leaf is worth consolidating. Only then does it walk the path again
 * write-latching hand over hand as {@link Optimizer} does (the leaf's parent stays latched while
 * its leaf is looked at again, since a leaf that a consolidation leaves larger than a node is split
 * there). The sweep visits every leaf once per quiet spell, and a quiet spell is often a phase of
 * reads: write-latching every path, the root first, made every reader that met one of the ~1,500
 * steps of a 1 GB tree wait, and the readers arriving behind it queued on the latch
 * (docs/benchmarks.md, "YCSB loads: the JIT; C at 4 threads"); a fill's leaves, whose deltas hold
 * new keys, are now looked at without a write latch at all. A consolidation is what
 * any reshape does first ({@link Partitions#prepareChange}), then the leaf is reshaped as after a
 * flush ({@link Reshaper#reshapeChild}); nothing else changes, so crash safety is that of any leaf
 * change: the leaf is dirty until the next checkpoint writes it.
 *
 * <p>Its changes are not writes going on ({@code CacheTable.runUnnoted}, as the cleaner's): the
 * cache goes quiet as it would without them. Thread-safe (per step, through the latches).
 */
public final class DeltaSweep {
  /**
   * Repeated bytes in a leaf's delta, over the leaf's own bytes, for it to be consolidated. With
   * deltas spread evenly over [0, L], a share t leaves t&sup2;/2 of the leaves' bytes in repeats
   * for (1 - t) of them written: at 1/2 an eighth stayed, and at 20M keys after an overwrite that
   * alone (270 MiB of segments) kept the file above the data with no hole left (docs/design.md,
   * "Space held by deltas of overwrites"); at 1/4 a thirty-second stays.
   */
  static final double MIN_SHARE = 0.25;

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
    return ctx.cache.runUnnoted(() -> ctx.guarded(() -> {
      Step look = look(rootBlock, from);
      return look.consolidated() ? stepUnguarded(rootBlock, from) : look;
    }));
  }

  /**
   * The step's look at the leaf of {@code from} under read latches: the next step's start, and
   * whether the leaf's delta repeats its basements' keys for {@link #MIN_SHARE} of its bytes (as
   * {@code consolidated}: the write-latched walk then decides again, on the leaf as it is then).
   * Takes no write latch; fetches what it reads as a reader does.
   */
  private Step look(long rootBlock, byte[] from) {
    Pins pins = ctx.cache.pins();
    Node node = ctx.pinRootRead(rootBlock, pins);
    byte[] hi = null;
    while (node.height > 1) {
      int c = node.partitionFor(from);
      hi = Keys.minHigh(hi, node.upperBound(c));
      Node child = ctx.pinChildRead(node, c, pins);
      ctx.cache.unpinRead(node, pins);
      node = child;
    }
    int c = node.partitionFor(from);
    hi = Keys.minHigh(hi, node.upperBound(c));
    Node leaf = ctx.pinChildRead(node, c, pins);
    ctx.cache.unpinRead(node, pins);
    try {
      long leafBytes = leaf.bytes();
      long repeated = worthLooking(leaf, leafBytes) ? repeatedBytes(leaf) : 0;
      return new Step(hi, repeated >= MIN_SHARE * leafBytes, repeated);
    } finally {
      ctx.cache.unpinRead(leaf, pins);
    }
  }

  /** Whether latched {@code leaf}'s delta is large enough to repeat {@link #MIN_SHARE} of its bytes. */
  private boolean worthLooking(Node leaf, long leafBytes) {
    return ctx.deltas.bytes(leaf) >= MIN_SHARE * leafBytes && !ctx.deltas.isEmpty(leaf);
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
    if (worthLooking(leaf, leafBytes)) {
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

  /**
   * Bytes of latched {@code leaf}'s delta messages whose keys a basement holds (read or write
   * latched: the segments and basements it needs are fetched as a reader fetches them).
   */
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

  private long repeatedBytes(Node leaf, MessageBuffer b) {
    long total = 0;
    for (int i = 0; i < b.pointCount(); i++) {
      int rec = b.point(i);
      byte[] key = b.copyKey(rec);
      if (ctx.partitions.basement(leaf, leaf.partitionFor(key)).find(key) >= 0) {
        total += b.recordSize(rec);
      }
    }
    return total;
  }
}
