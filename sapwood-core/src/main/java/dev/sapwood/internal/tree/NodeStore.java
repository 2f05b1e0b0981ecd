package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.CacheTable;
import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.cache.ParkedImages;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;

/**
 * Writes nodes to the block file: one node at a time (a cache eviction, a partition fetch that
 * must first write a changed node, a test), every dirty node at once, and the nodes a checkpoint
 * waits for. Owns the node cache, whose backend writes back through {@link #writeNode}.
 *
 * <p>Invariants: a node is written only under its write latch (or while unshared), whole — except
 * a leaf whose basements are clean and whose delta changed, of which only the new delta segment
 * and the delta index are written ({@link LeafDeltas}); a delta segment is written once, never
 * rewritten;
 * a node marked pending for the checkpoint in progress goes into the checkpoint's image and is
 * written before it can be freed; a written node is clean and its on-disk directory is the one
 * just written; a freed node is never written ({@link Node#checkLive}: its block number may
 * already name another node).
 */
public final class NodeStore {
  private final BlockFile file;
  private final byte codec;
  private final TreeCounters counters;
  final CacheTable<Node> cache;
  /** The phases of node writes: the checkpoint's (summed per checkpoint) and write-backs'. */
  private final FlushPhases phases;
  /** Stamps of node images, to tell the partitions a write keeps unchanged. */
  final PartitionStamps stamps = new PartitionStamps();
  /** The off-heap tier of compressed frames (null: none); set once, before the trees open. */
  volatile FrameCache frames;
  /** Dirty internal nodes parked off-heap in the tier's slabs (null: none; {@link ParkedNodes}). */
  volatile ParkedImages parked;
  private final ParkedNodes parking;
  /** Who writes internal nodes, and how often one is written per checkpoint interval. */
  final InternalWrites internalWrites;
  private final Counters stats;

  NodeStore(BlockFile file, byte codec, TreeCounters counters, long cacheBytes, Counters stats, NodeOwners owners) {
    this.file = file;
    this.codec = codec;
    this.counters = counters;
    this.stats = stats;
    this.cache = new CacheTable<>(new NodeBackend(file, counters, this, owners), cacheBytes, stats);
    cache.countPools(NodeStore::pooledBytes, POOLS_UNCOUNTED_BUDGET, POOLS_COUNTED_CAP);
    BlockPool.allowFor(cacheBytes);
    this.phases = new FlushPhases(stats);
    this.internalWrites = new InternalWrites(stats);
    this.parking = new ParkedNodes(file, codec, counters, this);
  }

  /**
   * A heap cache's budget up to this counts none of the pools, and a larger one only what leaves
   * its nodes this much: the pools are shared by every database of the process, and a small one's
   * nodes are not squeezed by arrays kept for a large one's (docs/design.md, "Sizing memory").
   */
  static final long POOLS_UNCOUNTED_BUDGET = 32L << 20;

  /** At most this much of the pools is counted: their own bounds add up to 14–20 MiB. */
  static final long POOLS_COUNTED_CAP = 20L << 20;

  /**
   * Heap bytes the process-wide pools keep for reuse ({@link BlockPool}'s arena blocks, the {@link
   * dev.sapwood.internal.util.ArrayPool}s' scratch arrays): counted against the heap cache's
   * budget, since they hold what the cache's nodes would otherwise hold (docs/design.md, "Sizing
   * memory").
   */
  static long pooledBytes() {
    return BlockPool.heldBytes() + dev.sapwood.internal.util.ArrayPool.keptBytesOfAll();
  }

  /**
   * Gives the store its off-heap tier (null: none), and with it the parking of dirty internal nodes
   * in the tier's slabs; both count their heap against the cache's budget. Once, before trees open.
   */
  void frameTier(FrameCache tier) {
    frames = tier;
    if (tier != null) {
      tier.chargeHeapTo(cache::charge);
      ParkedImages p = new ParkedImages(tier, stats);
      p.chargeHeapTo(cache::charge);
      parked = p;
    }
  }

  /** The parked dirty nodes (null: none). */
  public ParkedImages parked() {
    return parked;
  }

  /** The parking of dirty internal nodes (the cache's backend parks and loads through it). */
  ParkedNodes parking() {
    return parking;
  }

  /** The latency figures of node writes, for the checkpointer to close each checkpoint's. */
  public FlushPhases phases() {
    return phases;
  }

  /** Writes every dirty node (with no checkpoint in progress, nothing else running). */
  public void writeDirtyNodes() {
    cache.forEach(node -> {
      if (node.isDirty()) {
        writeNode(node);
        cache.account(node); // it holds its new frame directory
      }
    });
    parking.writeAll();
  }

  /**
   * The first step of a checkpoint, with nothing else running: marks every dirty node as waiting
   * for the checkpoint and returns their block numbers. The caller then begins the block file's
   * checkpoint and, with writers running again, calls {@link #writePending}.
   */
  public long[] markPending() {
    ParkedImages p = parked;
    // First: it throws, marking nothing, if an image was never settled (ParkedImages, invariant 4).
    long[] parkedBlocks = p == null ? new long[0] : p.markPending();
    internalWrites.checkpointBegins();
    java.util.List<Long> out = new java.util.ArrayList<>();
    cache.forEach(node -> {
      if (node.isDirty()) {
        node.pendingCheckpoint = true;
        out.add(node.key());
      }
    });
    for (long block : parkedBlocks) { // dirty too: parked instead of written back
      out.add(block);
    }
    long[] blocks = new long[out.size()];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = out.get(i);
    }
    return blocks;
  }

  /**
   * Writes each node of {@code blocks} still waiting for the checkpoint, one write latch at a
   * time, while writers go on (those that reach a waiting node first write it themselves).
   */
  public void writePending(long[] blocks) {
    for (long block : blocks) {
      if (parking.writePending(block)) {
        continue; // parked: its image written for the checkpoint
      }
      // Not parked now: cached, written or freed. A node the checkpoint waits for is never parked
      // (it is written instead), and one being loaded from its parked image stays findable there
      // until it is cached (ParkedImages), so it cannot slip between the two lookups.
      long waitStart = System.nanoTime();
      Node node = cache.pinWriteIfCached(block);
      phases.checkpointWait(System.nanoTime() - waitStart);
      if (node == null) {
        continue; // freed meanwhile (a pending node is written before it is freed)
      }
      try {
        if (node.pendingCheckpoint) {
          writeNode(node);
        }
      } finally {
        cache.unpinWrite(node);
      }
    }
  }

  /**
   * Writes a write-latched (or otherwise unshared) node and marks it clean: its block if it is
   * dirty, its delta block if its delta changed (only that, if only the delta changed). A node the
   * checkpoint in progress waits for goes into the checkpoint's image.
   */
  void writeNode(Node node) {
    node.checkLive("written back");
    if (node.deltaDirty) {
      writeDelta(node);
      if (!node.dirty) {
        node.pendingCheckpoint = false;
        return; // only the delta changed: the leaf's block still holds its basements and names the delta
      }
    }
    writeWhole(node);
  }

  /**
   * Writes a leaf's changed delta: the messages appended since its last write-back, once, as a new
   * immutable segment block (a fresh block number), then the leaf's delta index listing it (the
   * leaf's header names the index already). Both go into the checkpoint's image if the leaf
   * waits for it.
   */
  private void writeDelta(Node node) {
    long start = System.nanoTime();
    DeltaSegment[] segs = node.segments;
    if (segs == null) {
      throw new IllegalStateException("leaf " + node.key() + " has a changed delta and no segment list");
    }
    MessageBuffer tail = node.delta;
    long written = 0;
    if (tail != null && !tail.isEmpty()) {
      long seg = node.deltaTailBlock; // taken at the first append: see Node.deltaTailBlock
      if (seg == 0) {
        throw new IllegalStateException("leaf " + node.key() + " has unwritten delta messages and no block for them");
      }
      NodeWriter.Result w = NodeWriter.writeDeltaShared(seg, node.key(), tail, codec);
      write(node, seg, w.block(), w.length());
      FrameTier.putWritten(frames, w.directory(), w.block());
      DeltaSegment s = DeltaSegment.of(seg, tail, w.directory().rawLength(0));
      s.dir = w.directory();
      segs = java.util.Arrays.copyOf(segs, segs.length + 1);
      segs[segs.length - 1] = s;
      node.segments = segs;
      node.delta = null;
      node.deltaTailBlock = 0;
      counters.deltaWrites.increment();
      written += w.length();
      NodeWriter.giveBack(w); // written and copied to the tier
    }
    byte[] index = DeltaIndex.write(node.key(), segs);
    long serialized = System.nanoTime();
    write(node, node.deltaBlock, index, index.length);
    node.deltaDirty = false;
    written += index.length;
    noteTimes(node, written, start, serialized);
    counters.deltaIndexWrites.increment();
    counters.deltaIndexBytes.add(index.length);
    counters.deltaBytesWritten.add(written);
    counters.nodeBytesWritten.add(written);
    counters.leafBytesWritten.add(written);
  }

  /** Writes one block of {@code node}, into the checkpoint's image if the node waits for it. */
  private void write(Node node, long block, byte[] bytes, int length) {
    write(node.pendingCheckpoint, block, bytes, length);
  }

  /** Writes one block: into the checkpoint's image if {@code forCheckpoint}, else as a write-back. */
  void write(boolean forCheckpoint, long block, byte[] bytes, int length) {
    if (forCheckpoint) {
      file.writeCheckpointBlock(block, bytes, 0, length);
    } else {
      file.writeBlock(block, bytes, 0, length);
    }
  }

  /**
   * Counts a write of {@code bytes} for {@code node}, serialized from {@code start} to {@code
   * serialized} and written until now: as the checkpoint's if the node waits for it, else as a
   * write-back.
   */
  private void noteTimes(Node node, long bytes, long start, long serialized) {
    noteTimes(node.pendingCheckpoint, bytes, start, serialized);
  }

  /** {@link #noteTimes(Node, long, long, long)} for a write for the checkpoint or not. */
  void noteTimes(boolean forCheckpoint, long bytes, long start, long serialized) {
    long now = System.nanoTime();
    if (forCheckpoint) {
      counters.checkpointBytes.add(bytes);
      phases.checkpointWrite(serialized - start, now - serialized);
    } else {
      phases.writeBack(serialized - start, now - serialized);
    }
  }

  private void writeWhole(Node node) {
    long start = System.nanoTime();
    NodeWriter.Result written = NodeWriter.writeShared(node, codec); // written and copied here, never kept
    byte[] block = written.block();
    int length = written.length();
    long serialized = System.nanoTime();
    write(node, node.key(), block, length);
    noteTimes(node, length, start, serialized);
    if (node.height > 0) {
      internalWrites.written(node.key(), node.pendingCheckpoint, false, length);
    }
    if (node.pendingCheckpoint) {
      node.pendingCheckpoint = false;
      counters.checkpointNodes.increment();
    }
    node.dirty = false;
    node.disk = written.directory();
    FrameTier.putWritten(frames, written.directory(), block);
    int unchanged = 0;
    long unchangedBytes = 0;
    for (int i = 0; i < node.n; i++) {
      if (PartitionStamps.unchanged(node, i)) { // the stamps are still the last image's
        unchanged++;
        unchangedBytes += written.directory().compressedLength(i);
      }
    }
    if (unchanged > 0) {
      counters.nodeWriteUnchanged(node.height == 0, unchanged, unchangedBytes);
    }
    counters.nodeWritePartitions(node.height == 0, node.n);
    PartitionStamps.stampAll(node, stamps.next());
    counters.nodesWritten.increment();
    counters.nodeBytesWritten.add(length);
    counters.bufferFilterBytesWritten.add(written.directory().filterBytes());
    counters.filtersBuilt(written.directory());
    if (node.height == 0) {
      counters.leafBytesWritten.add(length);
    }
    NodeWriter.giveBack(written); // written and copied to the tier
  }
}
