package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.CacheTable;
import dev.sapwood.internal.store.BlockFile;

/**
 * Brings node partitions into memory: one at a time for readers (partial fetch: a point query
 * needs one buffer per internal node and one basement of the leaf), all of them before a node is
 * changed (a dirty node is always whole, so it can be written).
 *
 * <p>A point query on a partition that is not resident reads only the frames that can hold its
 * key (a frame peek) unless the cache has room for the whole partition, or the partition has
 * been peeked as many times as it has frames: then it is fetched whole. So random point reads on
 * data larger than the cache read a few KiB each and do not churn the cache, while partitions
 * read often enough become resident.
 */
final class Partitions {
  private final BlockFile file;
  private final CacheTable<Node> cache;
  private final NodeStore store;
  private final TreeCounters counters;
  /** Reads of leaves' delta segments. */
  final DeltaReads deltas;
  /** Applies a write-latched leaf's delta to its basements ({@link LeafDeltas#consolidate}); set once by the wiring. */
  private java.util.function.Consumer<Node> consolidator = node -> {};

  Partitions(BlockFile file, NodeStore store, TreeCounters counters) {
    this.file = file;
    this.cache = store.cache;
    this.store = store;
    this.counters = counters;
    this.deltas = new DeltaReads(file, store, counters);
  }

  /** Buffer i of a latched internal node, fetched if it is not in memory. */
  MessageBuffer buffer(Node node, int i) {
    ensure(node, i);
    node.markUsed(i);
    return node.buffers[i];
  }

  /**
   * What a point query for {@code key} needs of buffer i of a read-latched internal node: the
   * buffer if resident or worth fetching (the rent-or-buy rule, unchanged by filters); else
   * nothing, or only its range messages, if its filter ({@link BufferFilters}) rules the key out
   * of its point messages; else the messages of the frames that can hold the key. The filter only
   * replaces peeks: asked before the rule, it kept buffers from becoming resident (a get's key
   * ruled out by the filter never counted towards a fetch), and at 2M keys / 32 MiB a get then
   * peeked 0.049 buffer frames instead of 0.014 (docs/benchmarks.md, "Buffer filters"). Read
   * only: never change what it returns.
   */
  MessageBuffer bufferFor(Node node, int i, byte[] key) {
    if (node.loaded(i) || shouldFetch(node, i)) {
      return buffer(node, i);
    }
    PartitionDirectory d = node.disk;
    if (d.hasFilter(i)) {
      if (!d.pointsMayHold(i, key)) {
        counters.bufferFilterSkips.increment();
        if (d.rangeCount(i) == 0) {
          return NOTHING;
        }
        counters.framePeeks.increment();
        counters.bufferFramePeeks.increment();
        return FramePeeks.peekBufferRanges(file, store.frames, node.key(), d, i);
      }
      counters.bufferFilterPasses.increment();
    }
    counters.framePeeks.increment();
    counters.bufferFramePeeks.increment();
    return FramePeeks.peekBuffer(file, store.frames, node.key(), d, i, key);
  }

  /** What {@link #bufferFor} returns for a buffer whose filter rules the key out: no message. Never changed. */
  private static final MessageBuffer NOTHING = MessageBuffer.over(new byte[0]);

  /**
   * Like {@link #bufferFor}, for basement i of a read-latched leaf. A peek of a basement's frames
   * takes them from the off-heap tier when it holds them but puts none there ({@link
   * FramePeeks#peekBasement}).
   */
  Basement basementFor(Node leaf, int i, byte[] key) {
    if (leaf.loaded(i) || shouldFetch(leaf, i)) {
      return basement(leaf, i);
    }
    counters.framePeeks.increment();
    counters.basementFramePeeks.increment();
    return FramePeeks.peekBasement(file, store.frames, leaf.key(), leaf.disk, i, key);
  }

  /**
   * What a chunk read of {@code [from, to)} (either null: unbounded) needs of buffer i of a
   * read-latched internal node: the buffer if resident or worth fetching (the rent-or-buy rule of
   * {@link #bufferFor}); else the point frames that can hold messages of those keys and every range
   * message. A seek beyond the cache once fetched every buffer on its path whole (docs/design.md,
   * "What a seek reads"). Read only: never change what it returns.
   */
  MessageBuffer bufferForRange(Node node, int i, byte[] from, byte[] to) {
    if (node.loaded(i) || shouldFetch(node, i)) {
      return buffer(node, i);
    }
    counters.framePeeks.increment();
    counters.bufferFramePeeks.increment();
    return FramePeeks.peekBufferRange(file, store.frames, node.key(), node.disk, i, from, to);
  }

  /**
   * Whether a chunk read should take basement i of a read-latched leaf whole ({@link #basement}):
   * it is resident or worth fetching; else it peeks frames ({@link #peekBasementFrames}).
   */
  boolean basementWhole(Node leaf, int i) {
    return leaf.loaded(i) || shouldFetch(leaf, i);
  }

  /**
   * The entries of frames {@code [from, to)} of basement i of a read-latched leaf (a span of {@link
   * ChunkFrames}): what a chunk read needs when {@link #basementWhole} says no. Not a whole
   * basement: use it for that chunk only. Carries the basement's max MSN. Puts no frame in the
   * off-heap tier, as {@link #basementFor}.
   */
  Basement peekBasementFrames(Node leaf, int i, int from, int to) {
    counters.framePeeks.increment();
    counters.basementFramePeeks.increment();
    return FramePeeks.peekBasementFrames(file, store.frames, leaf.key(), leaf.disk, i, from, to);
  }

  private boolean shouldFetch(Node node, int i) {
    return worthFetching(cache, node.disk, i);
  }

  /**
   * The rent-or-buy rule for partition {@code i} of {@code d} (a node's, or a delta segment's):
   * fetch it whole when it is one frame, when the cache has room for it, or once it has been peeked
   * as often as {@link PartitionDirectory#notePeek} allows; else peek its frames.
   */
  static boolean worthFetching(CacheTable<Node> cache, PartitionDirectory d, int i) {
    return d.frameEnd(i) - d.firstFrame(i) <= 1
        || cache.hasRoom(d.rawLength(i))
        || d.notePeek(i);
  }

  /** Basement i of a latched leaf, fetched if it is not in memory. */
  Basement basement(Node leaf, int i) {
    ensure(leaf, i);
    leaf.markUsed(i);
    return leaf.basements[i];
  }

  void setConsolidator(java.util.function.Consumer<Node> c) {
    this.consolidator = c;
  }

  /**
   * Readies a write-latched node for a change: writes it for the checkpoint in progress if it is
   * still waiting for that (cooperative serialization: the checkpoint's image keeps the state of
   * when it began), makes every partition resident, and applies a leaf's delta to its basements
   * (so whatever changes a leaf's basements or shape meets no delta: splits, merges, optimize).
   * Call before changing or freeing a node; cheap when there is nothing to do.
   */
  void prepareChange(Node node) {
    prepareBasements(node);
    if (node.height == 0 && node.deltaBlock != 0) {
      consolidator.accept(node);
    }
  }

  /** {@link #prepareChange} without applying a leaf's delta: the flush that consolidates it does that itself. */
  void prepareBasements(Node node) {
    node.checkLive("changed");
    loadAll(node);
    writeIfPending(node);
  }

  /** Writes a write-latched node for the checkpoint in progress if it still waits for that. */
  void writeIfPending(Node node) {
    node.checkLive("changed");
    if (node.pendingCheckpoint) {
      store.writeNode(node);
    }
  }

  /** Makes every partition of a write-latched node resident. */
  void loadAll(Node node) {
    for (int i = 0; i < node.n; i++) {
      if (!node.loaded(i)) {
        fetch(node, i);
      }
    }
  }

  /** Fetches partition i under the read latch; concurrent readers fetch it once. */
  private void ensure(Node node, int i) {
    if (node.loaded(i)) {
      return;
    }
    synchronized (node.fetchLock) {
      if (!node.loaded(i)) {
        fetch(node, i);
      }
    }
    cache.account(node);
  }

  private void fetch(Node node, int i) {
    if (node.height == 0) {
      node.basements[i] = PartitionReader.readBasement(file, store.frames, node.key(), node.disk, i);
    } else {
      node.buffers[i] = PartitionReader.readBuffer(file, store.frames, node.key(), node.disk, i);
      counters.bufferFetches.increment();
    }
    PartitionStamps.stampPartition(node, i);
    counters.partialFetches.increment();
  }
}
