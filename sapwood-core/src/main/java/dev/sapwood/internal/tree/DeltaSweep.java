package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.Pins;

/**
 * The quiet sweep: once writes stop, visits every leaf and either drains into it the messages
 * waiting for it (the quiet drain, on by default: {@code Options.drainWhenQuiet}) or only
 * consolidates it if its delta mostly repeats keys its basements already hold.
 *
 * <p><b>The drain</b> (docs/design.md, "The quiet drain"): a leaf whose delta and whose parent's
 * buffer towards it hold at least {@link #DRAIN_SHARE} of the leaf's bytes gets one step of online
 * optimize ({@link Optimizer}): every buffer on its path towards it is flushed down and the leaf is
 * consolidated, so that the reads of the quiet spell find the leaf's basements alone. Beyond the
 * cache a seek read a basement frame and about 1.2 message frames (the leaf's delta, its parent's
 * buffer) in 2.3 file reads; in a drained tree it reads 1.1 (20M keys, 256 MiB cache, 1 GiB
 * cgroup: 8.6–9.6 K → 20 K seeks/s, gets 18 → 24 K/s; docs/benchmarks.md, "The quiet drain").
 * Smaller waits are left: the leaf would be written whole for them.
 *
 * <p><b>The space rule</b> (the drain off; docs/design.md, "Space held by deltas of overwrites"):
 * consolidates the leaves whose delta mostly repeats keys their basements
 * already hold. A leaf's delta may grow to
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
  /**
   * Bytes of messages waiting for a leaf (its delta's and its parent's buffer towards it), over
   * the leaf's own bytes, for the quiet drain to flush them into it. Draining writes the leaf whole
   * once, so it writes at most 1/DRAIN_SHARE bytes per byte drained; a trickle of writes between
   * quiet spells leaves every leaf below it and costs nothing. After a random fill the waits run
   * from none to about the leaf's size (a delta is consolidated at {@code leafDeltaRatio}), and an
   * eighth drains seven leaves in eight.
   */
  static final double DRAIN_SHARE = 0.125;

  private final TreeContext ctx;
  private final Flusher flusher;
  private final Optimizer optimizer;

  DeltaSweep(TreeContext ctx, Flusher flusher, Optimizer optimizer) {
    this.ctx = ctx;
    this.flusher = flusher;
    this.optimizer = optimizer;
  }

  /**
   * What one step did: where the next starts (null: done), whether it consolidated (or drained
   * into) the leaf it reached, and the bytes that decided it: of a drain, the messages waiting for
   * the leaf; else those of its delta's messages whose keys its basements held (0 if the delta was
   * too small to look).
   */
  public record Step(byte[] next, boolean consolidated, long decidingBytes) {}

  /**
   * One step of tree {@code rootBlock} from key {@code from} (the empty key: the start): of the
   * drain if {@code drain}, else of the space rule.
   */
  public Step step(long rootBlock, byte[] from, boolean drain) {
    return ctx.cache.runUnnoted(() -> ctx.guarded(() -> {
      Step look = look(rootBlock, from, drain);
      if (!look.consolidated()) {
        return look;
      }
      return drain ? drainUnguarded(rootBlock, from, look) : stepUnguarded(rootBlock, from);
    }));
  }

  /**
   * Drains the path to the leaf of {@code from} as online optimize's step does (write latches hand
   * over hand, every buffer on it flushed towards the key, the leaf consolidated), whether or not
   * the leaf still holds what {@code look} saw: draining is idempotent.
   */
  private Step drainUnguarded(long rootBlock, byte[] from, Step look) {
    Optimizer.Step s = optimizer.stepUnguarded(rootBlock, from);
    ctx.counters.drainedLeaves.increment();
    ctx.counters.drainedBytes.add(look.decidingBytes());
    return new Step(s.next(), true, look.decidingBytes());
  }

  /**
   * The step's look at the leaf of {@code from} under read latches, coupled as a reader's: the
   * next step's start, and as {@code consolidated} whether the leaf is worth the write-latched
   * walk. For the drain, whether the messages waiting for it (its delta's bytes and its parent's
   * buffer's towards it, by the directories: nothing is fetched but a delta's index) are at least
   * {@link #DRAIN_SHARE} of its bytes; else whether its delta repeats its basements' keys for
   * {@link #MIN_SHARE} of its bytes (the write-latched walk then decides again, on the leaf as it
   * is then). Takes no write latch; fetches what it reads as a reader does.
   */
  private Step look(long rootBlock, byte[] from, boolean drain) {
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
    long waiting = drain ? NodeSizes.bufferBytes(node, c) : 0;
    Node leaf = ctx.pinChildRead(node, c, pins);
    ctx.cache.unpinRead(node, pins);
    try {
      long leafBytes = leaf.bytes();
      if (drain) {
        waiting += ctx.deltas.bytes(leaf);
        return new Step(hi, waiting > 0 && waiting >= DRAIN_SHARE * leafBytes, waiting);
      }
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
