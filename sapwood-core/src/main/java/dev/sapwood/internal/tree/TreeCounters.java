package dev.sapwood.internal.tree;

import dev.sapwood.internal.stats.Counters;
import java.util.concurrent.atomic.LongAdder;

/** The tree's status counters, after the flusher's own (flushes, cascades, splits, merges). */
final class TreeCounters {
  static final int MAX_CASCADE_DEPTH = 8;

  final LongAdder flushes;
  final LongAdder flushesToLeaf;
  final LongAdder flushesReleasingParent;
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
  final LongAdder partitionEvictions;
  final LongAdder nodesWritten;
  final LongAdder nodeBytesWritten;
  final LongAdder leftHeavySplits;
  final LongAdder leafBytesWritten;
  final LongAdder nodesRead;
  final LongAdder messagesInjected;
  final LongAdder checkpointNodes;
  final LongAdder inlineFlushes;
  final LongAdder backgroundFlushes;
  final LongAdder cleanerFlushes;
  final LongAdder checkpointBytes;

  TreeCounters(Counters c) {
    flushes = c.counter("flush.total");
    flushesToLeaf = c.counter("flush.to_leaf");
    flushesReleasingParent = c.counter("flush.parent_released");
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
    partitionEvictions = c.counter("cache.partitions_evicted");
    nodesWritten = c.counter("node.written");
    nodeBytesWritten = c.counter("node.bytes_written");
    leafBytesWritten = c.counter("node.leaf_bytes_written");
    nodesRead = c.counter("node.read");
    messagesInjected = c.counter("tree.messages");
    checkpointNodes = c.counter("checkpoint.nodes_written");
    inlineFlushes = c.counter("flush.by_writers");
    backgroundFlushes = c.counter("flush.by_background");
    cleanerFlushes = c.counter("cleaner.flushes");
    checkpointBytes = c.counter("checkpoint.node_bytes_written");
  }

  void cascade(int depth) {
    cascades[Math.min(depth, MAX_CASCADE_DEPTH) - 1].increment();
  }
}
