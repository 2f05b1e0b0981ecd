package dev.sapwood.internal.tree;

import dev.sapwood.internal.stats.Counters;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The tree's status counters, after the flusher's own (TokuFT's flusher status: flushes,
 * cascades, splits, merges, the cleaner's work).
 */
final class TreeCounters {
  static final int MAX_CASCADE_DEPTH = 8;
  /** Cascade counts 1..MAX_CASCADE_COUNT have their own counter; more share the last. */
  static final int MAX_CASCADE_COUNT = 5;
  /** Cleaner flushes of nodes of height 1..MAX_CLEANER_HEIGHT have their own counter; higher share the last. */
  static final int MAX_CLEANER_HEIGHT = 3;

  /** Flushes that cascaded into 1, 2, ... flushes below them (the last: more than MAX_CASCADE_COUNT). */
  final LongAdder[] cascadeCounts = new LongAdder[MAX_CASCADE_COUNT + 1];
  final LongAdder flushesInMemory;
  final LongAdder flushesNeedingIo;
  final LongAdder[] cleanerByHeight = new LongAdder[MAX_CLEANER_HEIGHT];
  final LongAdder cleanerEmptyNodes;
  final LongAdder cleanerNodesDirtied;
  final LongAccumulator cleanerBufferMin;
  final LongAccumulator cleanerBufferMax;
  final LongAdder cleanerBufferTotal;
  final LongAccumulator cleanerWorkMin;
  final LongAccumulator cleanerWorkMax;
  final LongAdder cleanerWorkTotal;
  final LongAdder leafMergesStarted;
  final LongAdder leafMergesRunning;
  final LongAdder leafMergesCompleted;
  final LongAdder bgFlushWaitTotal;
  final LongAccumulator bgFlushWaitMax;
  final LongAdder bgFlushRunTotal;
  final LongAccumulator bgFlushRunMax;

  final LongAdder flushes;
  final LongAdder flushesToLeaf;
  final LongAdder flushesReleasingParent;
  /** Leaf reads served by a flush's view of the leaf, without waiting for its latch ({@link FlushView}). */
  final LongAdder readsBesideFlush;
  final LongAdder flushedBytes;
  final LongAdder[] cascades = new LongAdder[MAX_CASCADE_DEPTH];
  final LongAdder leafSplits;
  final LongAdder nonleafSplits;
  final LongAdder rootSplits;
  final LongAdder leafMerges;
  final LongAdder nonleafMerges;
  final LongAdder rebalances;
  final LongAdder rootCollapses;
  final LongAdder partialFetches;
  final LongAdder framePeeks;
  /** Frame peeks split by kind: an internal node's buffer, a leaf's basement (both also in {@link #framePeeks}). */
  final LongAdder bufferFramePeeks;
  final LongAdder basementFramePeeks;
  /** Partial fetches of buffers (also in {@link #partialFetches}): a one-frame buffer a get needs is fetched whole. */
  final LongAdder bufferFetches;
  /** Parents of leaves parked again right after a flush brought them in ({@link FlushParking}). */
  final LongAdder parkedAfterFlush;
  /**
   * Non-resident buffers a get did not read because their filter ruled its key out, and those
   * whose filter let it through.
   */
  final LongAdder bufferFilterSkips;
  final LongAdder bufferFilterPasses;
  /** Bytes of buffer filters in the internal nodes written (also in {@link #nodeBytesWritten}). */
  final LongAdder bufferFilterBytesWritten;
  /**
   * Buffer filters built (at a node's write or park, or added to a parked image on its way to the
   * file), and the point keys hashed into them: the filters' CPU as a count.
   */
  final LongAdder bufferFiltersBuilt;
  final LongAdder bufferFilterKeys;
  final LongAdder partitionEvictions;
  final LongAdder nodesWritten;
  final LongAdder nodeBytesWritten;
  final LongAdder leftHeavySplits;
  final LongAdder leafBytesWritten;
  final LongAdder nodesRead;
  /**
   * The messages injected, and their bytes as a buffer holds them (record header, key, value: the
   * cleaner's budget): sums of one part per tree, counted under its root latch ({@link RootLatch}).
   */
  static final String MESSAGES = "tree.messages";
  static final String MESSAGE_BYTES = "tree.message_bytes";
  /** The registry the counters come from, for the sums kept in parts. */
  final Counters registry;
  final LongAdder checkpointNodes;
  final LongAdder inlineFlushes;
  final LongAdder backgroundFlushes;
  final LongAdder cleanerFlushes;
  final LongAdder checkpointBytes;
  /** Point reads (gets) and the buffered messages they applied: their ratio is a get's merge work. */
  final LongAdder pointReads;
  /**
   * Cursor chunk reads, the buffered messages in their ranges, and the buffers and delta segments
   * they peeked (not resident), of which those holding no message of the chunk's range: what a
   * range summary per frame could at best have spared ({@link ChunkReader}).
   */
  final LongAdder chunkReads;
  final LongAdder chunkMessages;
  final LongAdder chunkPeeks;
  final LongAdder chunkPeeksEmpty;
  final LongAdder pointReadMessages;
  /**
   * Gets answered by a PUT or DELETE of their key in an internal node's buffer (the leaf not read)
   * or in the leaf's delta (its basement not read).
   */
  final LongAdder getsDecidedAbove;
  final LongAdder getsDecidedByDelta;
  /** Messages folded into a newer one of the same key in a buffer ({@link Combiner}). */
  final LongAdder messagesCombined;
  /** Per node write: its partitions, those its last image held unchanged, and their bytes there; leaves apart too. */
  final LongAdder writePartitions;
  final LongAdder writePartitionsUnchanged;
  final LongAdder writeBytesUnchanged;
  final LongAdder writeLeaves;
  final LongAdder writeLeafPartitions;
  final LongAdder writeLeafPartitionsUnchanged;
  final LongAdder writeLeafBytesUnchanged;
  /** Per flush into a leaf: the buffer's bytes, the leaf's bytes before, its basements, those rebuilt. */
  final LongAdder leafFlushBytesIn;
  final LongAdder leafFlushLeafBytes;
  final LongAdder leafFlushBasements;
  final LongAdder leafFlushBasementsRebuilt;
  /** Puts put straight into the rightmost leaf, skipping every buffer ({@link RightEdge}). */
  final LongAdder insertsPromoted;
  /** Descents towards the rightmost leaf that found it could not take the put ({@link RightEdge}). */
  final LongAdder promotionsRefused;
  /** Descents of the edge refused because another thread held (or waited for) an edge node's latch. */
  final LongAdder promotionsBusy;
  /** Leaf deltas ({@link LeafDeltas}): flushes appended to a delta, consolidations, bytes appended, delta writes and reads. */
  final LongAdder deltaAppends;
  final LongAdder deltaConsolidations;
  final LongAdder deltaBytesIn;
  final LongAdder deltaWrites;
  final LongAdder deltaBytesWritten;
  final LongAdder deltaFetches;
  final LongAdder deltaPeeks;
  /** Leaves the quiet sweep consolidated for space ({@link DeltaSweep}), and the repeated delta bytes they held. */
  final LongAdder sweptLeaves;
  final LongAdder sweptRepeatedBytes;
  /** Leaves the quiet drain flushed their waiting messages into ({@link DeltaSweep}), and those messages' bytes. */
  final LongAdder drainedLeaves;
  final LongAdder drainedBytes;
  /** Reads of a leaf's delta index block, and of delta segments' headers (their frame directories), on first need. */
  final LongAdder deltaIndexReads;
  final LongAdder deltaHeaderReads;
  /** Delta segments a get or a chunk read skipped by key span and filter, and those a get's filter let through. */
  final LongAdder deltaFilterSkips;
  final LongAdder deltaFilterPasses;
  /** Delta index blocks written, and their bytes (also in {@code node_write.delta_bytes}). */
  final LongAdder deltaIndexWrites;
  final LongAdder deltaIndexBytes;
  /** Parked images' buffers: their raw bytes and what they compressed to (the images' compression ratio). */
  final LongAdder parkedRawBytes;
  final LongAdder parkedCompressedBytes;
  /**
   * Parked images' partitions, and those of them a node decoded from a parked image took back
   * unchanged (what re-parking with the old image's frames would not encode again).
   */
  final LongAdder parkedPartitions;
  final LongAdder parkedPartitionsUnchanged;

  TreeCounters(Counters c) {
    flushes = c.counter("flush.total");
    flushesToLeaf = c.counter("flush.to_leaf");
    flushesReleasingParent = c.counter("flush.parent_released");
    readsBesideFlush = c.counter("flush.reads_beside_build");
    flushedBytes = c.counter("flush.bytes");
    for (int i = 0; i < MAX_CASCADE_DEPTH; i++) {
      cascades[i] = c.counter("flush.cascade_depth_" + (i + 1) + (i == MAX_CASCADE_DEPTH - 1 ? "_or_more" : ""));
    }
    leafSplits = c.counter("split.leaf");
    leftHeavySplits = c.counter("split.leaf_left_heavy");
    nonleafSplits = c.counter("split.nonleaf");
    rootSplits = c.counter("split.root");
    leafMerges = c.counter("merge.leaf");
    nonleafMerges = c.counter("merge.nonleaf");
    rebalances = c.counter("merge.rebalance");
    rootCollapses = c.counter("merge.root_collapse");
    partialFetches = c.counter("cache.partial_fetches");
    framePeeks = c.counter("cache.frame_peeks");
    bufferFramePeeks = c.counter("cache.buffer_frame_peeks");
    basementFramePeeks = c.counter("cache.basement_frame_peeks");
    bufferFetches = c.counter("cache.buffer_fetches");
    parkedAfterFlush = c.counter("cache.parked_after_flush");
    bufferFilterSkips = c.counter("cache.buffer_filter_skips");
    bufferFilterPasses = c.counter("cache.buffer_filter_passes");
    bufferFilterBytesWritten = c.counter("node_write.buffer_filter_bytes");
    bufferFiltersBuilt = c.counter("node_write.buffer_filters_built");
    bufferFilterKeys = c.counter("node_write.buffer_filter_keys");
    partitionEvictions = c.counter("cache.partitions_evicted");
    nodesWritten = c.counter("node.written");
    nodeBytesWritten = c.counter("node.bytes_written");
    leafBytesWritten = c.counter("node.leaf_bytes_written");
    nodesRead = c.counter("node.read");
    registry = c;
    c.counter(MESSAGES); // the sums are listed from the start; trees add their parts
    c.counter(MESSAGE_BYTES);
    checkpointNodes = c.counter("checkpoint.nodes_written");
    inlineFlushes = c.counter("flush.by_writers");
    backgroundFlushes = c.counter("flush.by_background");
    cleanerFlushes = c.counter("cleaner.flushes");
    checkpointBytes = c.counter("checkpoint.node_bytes_written");
    pointReads = c.counter("read.gets");
    chunkReads = c.counter("read.chunks");
    chunkMessages = c.counter("read.chunk_messages");
    chunkPeeks = c.counter("read.chunk_peeks");
    chunkPeeksEmpty = c.counter("read.chunk_peeks_empty");
    pointReadMessages = c.counter("read.get_messages_applied");
    getsDecidedAbove = c.counter("read.gets_decided_above_leaf");
    getsDecidedByDelta = c.counter("read.gets_decided_by_delta");
    messagesCombined = c.counter("tree.messages_combined");
    writePartitions = c.counter("node_write.partitions_total");
    writePartitionsUnchanged = c.counter("node_write.partitions_unchanged");
    writeBytesUnchanged = c.counter("node_write.bytes_unchanged");
    writeLeaves = c.counter("node_write.leaves");
    writeLeafPartitions = c.counter("node_write.leaf_partitions_total");
    writeLeafPartitionsUnchanged = c.counter("node_write.leaf_partitions_unchanged");
    writeLeafBytesUnchanged = c.counter("node_write.leaf_bytes_unchanged");
    leafFlushBytesIn = c.counter("flush.leaf_bytes_in");
    leafFlushLeafBytes = c.counter("flush.leaf_bytes_before");
    leafFlushBasements = c.counter("flush.leaf_basements_total");
    leafFlushBasementsRebuilt = c.counter("flush.leaf_basements_rebuilt");
    insertsPromoted = c.counter("insert.promoted");
    promotionsRefused = c.counter("insert.promotion_refused");
    promotionsBusy = c.counter("insert.promotion_busy");
    deltaAppends = c.counter("flush.leaf_delta_appends");
    deltaConsolidations = c.counter("flush.leaf_consolidations");
    deltaBytesIn = c.counter("flush.leaf_delta_bytes_in");
    deltaWrites = c.counter("node_write.deltas");
    deltaBytesWritten = c.counter("node_write.delta_bytes");
    deltaFetches = c.counter("cache.delta_fetches");
    deltaPeeks = c.counter("cache.delta_peeks");
    sweptLeaves = c.counter("space.swept_leaves");
    sweptRepeatedBytes = c.counter("space.swept_repeated_bytes");
    drainedLeaves = c.counter("space.drained_leaves");
    drainedBytes = c.counter("space.drained_bytes");
    deltaIndexReads = c.counter("cache.delta_index_reads");
    deltaHeaderReads = c.counter("cache.delta_header_reads");
    deltaFilterSkips = c.counter("cache.delta_filter_skips");
    deltaFilterPasses = c.counter("cache.delta_filter_passes");
    deltaIndexWrites = c.counter("node_write.delta_indexes");
    deltaIndexBytes = c.counter("node_write.delta_index_bytes");
    parkedRawBytes = c.counter("cache.parked_raw_bytes");
    parkedCompressedBytes = c.counter("cache.parked_compressed_bytes");
    parkedPartitions = c.counter("cache.parked_partitions");
    parkedPartitionsUnchanged = c.counter("cache.parked_partitions_unchanged");
    for (int i = 0; i < MAX_CASCADE_COUNT; i++) {
      cascadeCounts[i] = c.counter("flush.cascades_" + (i + 1));
    }
    cascadeCounts[MAX_CASCADE_COUNT] = c.counter("flush.cascades_more_than_" + MAX_CASCADE_COUNT);
    flushesInMemory = c.counter("flush.in_memory");
    flushesNeedingIo = c.counter("flush.needed_io");
    for (int i = 0; i < MAX_CLEANER_HEIGHT; i++) {
      cleanerByHeight[i] = c.counter("cleaner.nodes_height_" + (i + 1) + (i == MAX_CLEANER_HEIGHT - 1 ? "_or_more" : ""));
    }
    cleanerEmptyNodes = c.counter("cleaner.empty_nodes");
    cleanerNodesDirtied = c.counter("cleaner.nodes_dirtied");
    cleanerBufferMin = c.minimum("cleaner.buffer_bytes_min");
    cleanerBufferMax = c.maximum("cleaner.buffer_bytes_max");
    cleanerBufferTotal = c.counter("cleaner.buffer_bytes_total");
    cleanerWorkMin = c.minimum("cleaner.buffer_messages_min");
    cleanerWorkMax = c.maximum("cleaner.buffer_messages_max");
    cleanerWorkTotal = c.counter("cleaner.buffer_messages_total");
    leafMergesStarted = c.counter("merge.leaf_started");
    leafMergesRunning = c.counter("merge.leaf_running");
    leafMergesCompleted = c.counter("merge.leaf_completed");
    bgFlushWaitTotal = c.counter("flush.background_wait_micros_total");
    bgFlushWaitMax = c.maximum("flush.background_wait_micros_max");
    bgFlushRunTotal = c.counter("flush.background_run_micros_total");
    bgFlushRunMax = c.maximum("flush.background_run_micros_max");
  }

  /**
   * One background flush from a root: queued until it had the root's latch ({@code waitNanos}),
   * then ran ({@code runNanos}, its reads included: a message flush serializes nothing).
   */
  void backgroundFlushTimes(long waitNanos, long runNanos) {
    long w = waitNanos / 1000;
    long r = runNanos / 1000;
    bgFlushWaitTotal.add(w);
    bgFlushWaitMax.accumulate(w);
    bgFlushRunTotal.add(r);
    bgFlushRunMax.accumulate(r);
  }

  /** Counts one flush that set off {@code flushes} flushes below it (0: none, not counted). */
  void cascadeCount(int flushes) {
    if (flushes > 0) {
      cascadeCounts[Math.min(flushes, MAX_CASCADE_COUNT + 1) - 1].increment();
    }
  }

  /** Counts one cleaner flush of a node of {@code height}, moving {@code bytes} in {@code messages}. */
  void cleanerFlush(int height, long bytes, long messages, boolean wasClean) {
    cleanerByHeight[Math.min(height, MAX_CLEANER_HEIGHT) - 1].increment();
    cleanerBufferMin.accumulate(bytes);
    cleanerBufferMax.accumulate(bytes);
    cleanerBufferTotal.add(bytes);
    cleanerWorkMin.accumulate(messages);
    cleanerWorkMax.accumulate(messages);
    cleanerWorkTotal.add(messages);
    if (wasClean) {
      cleanerNodesDirtied.increment();
    }
  }

  /** Counts one node write's {@code partitions}. */
  void nodeWritePartitions(boolean leaf, int partitions) {
    writePartitions.add(partitions);
    if (leaf) {
      writeLeaves.increment();
      writeLeafPartitions.add(partitions);
    }
  }

  /** Counts {@code partitions} of one node write held unchanged by its last image, {@code bytes} in the new block. */
  void nodeWriteUnchanged(boolean leaf, int partitions, long bytes) {
    writePartitionsUnchanged.add(partitions);
    writeBytesUnchanged.add(bytes);
    if (leaf) {
      writeLeafPartitionsUnchanged.add(partitions);
      writeLeafBytesUnchanged.add(bytes);
    }
  }

  /** Counts one flush of {@code bytesIn} into a leaf of {@code leafBytes} and {@code basements}, {@code rebuilt} of them rebuilt. */
  void leafFlush(long bytesIn, long leafBytes, int basements, int rebuilt) {
    leafFlushBytesIn.add(bytesIn);
    leafFlushLeafBytes.add(leafBytes);
    leafFlushBasements.add(basements);
    leafFlushBasementsRebuilt.add(rebuilt);
  }

  /** Counts the buffers of one parked image ({@code partitions} of {@code dir}): raw and compressed bytes. */
  void parkedImage(PartitionDirectory dir, int partitions) {
    long raw = 0;
    long compressed = 0;
    for (int i = 0; i < partitions; i++) {
      raw += dir.rawLength(i);
      compressed += dir.compressedLength(i);
    }
    parkedRawBytes.add(raw);
    parkedCompressedBytes.add(compressed);
    parkedPartitions.add(partitions);
  }

  /** Counts the buffer filters of a node image just built ({@code dir}'s) and the keys hashed into them. */
  void filtersBuilt(PartitionDirectory dir) {
    int built = 0;
    long keys = 0;
    for (int i = 0; i < dir.partitions(); i++) {
      if (dir.hasFilter(i)) {
        built++;
        keys += dir.count(i);
      }
    }
    if (built > 0) {
      bufferFiltersBuilt.add(built);
      bufferFilterKeys.add(keys);
    }
  }

  void cascade(int depth) {
    cascades[Math.min(depth, MAX_CASCADE_DEPTH) - 1].increment();
  }
}
