package dev.sapwood.internal.tree;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.cache.CacheTable;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every tree of one database shares: the block file, the node cache, the shape targets, the
 * update functions, the MSN counter and the status counters.
 */
public final class TreeContext {
  final BlockFile file;
  final CacheTable<Node> cache;
  final int nodeSize;
  final int basementSize;
  final int fanout;
  final byte codec;
  final FunctionResolver functions;
  final MessageApplier.FailureListener failures;
  final AtomicLong msn;
  final TreeCounters counters;
  final Partitions partitions;
  volatile Background background = Background.INLINE;
  final Flusher flusher;

  /**
   * @param lastMsn the highest MSN already used (from the header); new messages get higher ones
   */
  public TreeContext(BlockFile file, long cacheBytes, int nodeSize, int basementSize, int fanout,
      byte codec, FunctionResolver functions, long lastMsn, Counters counters) {
    this.file = file;
    this.nodeSize = nodeSize;
    this.basementSize = basementSize;
    this.fanout = fanout;
    this.codec = codec;
    this.functions = functions;
    this.msn = new AtomicLong(lastMsn);
    this.counters = new TreeCounters(counters);
    LongAdder failed = counters.counter("update.failed");
    this.failures = (fn, cause) -> failed.increment();
    this.cache = new CacheTable<>(new NodeBackend(this), cacheBytes, counters);
    this.partitions = new Partitions(this);
    this.flusher = new Flusher(this);
  }

  /** Sets where trees hand background flushes (INLINE until the engine's threads start). */
  public void setBackground(Background b) {
    this.background = b;
    cache.setBackground(b::submit);
  }

  /**
   * Block numbers of cached internal nodes whose buffers hold at least {@code threshold} bytes,
   * fullest first, at most {@code max}: the cleaner's candidates. Reads sizes without latches, so
   * the order is approximate.
   */
  public long[] cleanerCandidates(long threshold, int max) {
    java.util.List<long[]> found = new java.util.ArrayList<>();
    cache.forEach(node -> {
      if (node.height > 0) {
        long bytes = 0;
        MessageBuffer[] bufs = node.buffers;
        for (MessageBuffer b : bufs) {
          bytes += b == null ? 0 : b.bytes();
        }
        if (bytes >= threshold) {
          found.add(new long[] {node.key(), bytes});
        }
      }
    });
    found.sort((a, b) -> Long.compare(b[1], a[1]));
    long[] out = new long[Math.min(max, found.size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = found.get(i)[0];
    }
    return out;
  }

  /**
   * Flushes the heaviest child of cached internal node {@code block} if its buffers hold at least
   * {@code threshold} bytes, cascading as a writer's flush does (TokuFT's cleaner thread).
   * Returns whether it flushed.
   */
  public boolean clean(long block, long threshold) {
    return guarded(() -> cleanUnguarded(block, threshold));
  }

  private boolean cleanUnguarded(long block, long threshold) {
    Node node = cache.pinWriteIfCached(block);
    if (node == null) {
      return false;
    }
    if (node.height == 0 || node.bufferBytes() < threshold) {
      cache.unpinWrite(node);
      return false;
    }
    counters.cleanerFlushes.increment();
    flusher.flushOnce(node);
    return true;
  }

  /**
   * Runs a tree operation so that, if it fails part-way (an I/O error, a damaged block), every
   * pin and latch it still holds is released: no latch may outlive a failed operation, or later
   * readers and writers would wait on it forever. Damage found on the way is reported to the
   * block file, which then refuses checkpoints ({@link BlockFile#noteCorruption}).
   */
  <T> T guarded(java.util.function.Supplier<T> op) {
    try {
      return op.get();
    } catch (RuntimeException | Error e) {
      cache.releaseHeld();
      if (e instanceof dev.sapwood.CorruptionException c) {
        file.noteCorruption(c);
      }
      throw e;
    }
  }

  /**
   * Read-pins the root of a tree. Invariant: a root is internal (height at least 1); a root block
   * holding a leaf came from damaged data and is a {@link CorruptionException}.
   */
  Node pinRootRead(long block) {
    return checkRoot(cache.pinRead(block), false);
  }

  /** Write-pins the root of a tree; a {@link CorruptionException} as in {@link #pinRootRead}. */
  Node pinRootWrite(long block) {
    return checkRoot(cache.pinWrite(block), true);
  }

  /**
   * Read-pins child {@code c} of pinned internal node {@code parent}. Invariant: a child's height
   * is exactly its parent's minus one. Checked on every fetch, it makes a cycle of child pointers
   * (a node its own child, or its parent's) a {@link CorruptionException} at its first step
   * instead of an endless descent.
   */
  Node pinChildRead(Node parent, int c) {
    return checkChild(parent, c, cache.pinRead(parent.children[c]), false);
  }

  /** Write-pins child {@code c} of write-pinned {@code parent}; checked as {@link #pinChildRead}. */
  Node pinChildWrite(Node parent, int c) {
    return checkChild(parent, c, cache.pinWrite(parent.children[c]), true);
  }

  private Node checkRoot(Node root, boolean write) {
    if (root.height > 0) {
      return root;
    }
    unpin(root, write);
    throw new CorruptionException(file.name(), offsetOf(root.key()),
        "tree root block " + root.key() + " holds a leaf; a root is always internal");
  }

  private Node checkChild(Node parent, int c, Node child, boolean write) {
    if (child.height == parent.height - 1) {
      return child;
    }
    unpin(child, write);
    throw new CorruptionException(file.name(), offsetOf(parent.key()),
        "node block " + parent.key() + " of height " + parent.height + ": child " + c + " (block "
            + child.key() + ") has height " + child.height + ", not " + (parent.height - 1));
  }

  private void unpin(Node node, boolean write) {
    if (write) {
      cache.unpinWrite(node);
    } else {
      cache.unpinRead(node);
    }
  }

  /** The file offset of a block for a message, or -1 if it is not on disk (a new node). */
  private long offsetOf(long block) {
    try {
      return file.blockOffset(block);
    } catch (IllegalArgumentException notOnDisk) {
      return -1;
    }
  }

  /** The highest MSN handed out so far. */
  public long lastMsn() {
    return msn.get();
  }

  /** Writes every dirty node (with no checkpoint in progress, nothing else running). */
  public void writeDirtyNodes() {
    cache.forEach(node -> {
      if (node.isDirty()) {
        writeNode(node);
      }
    });
  }

  /**
   * The first step of a checkpoint, with nothing else running: marks every dirty node as waiting
   * for the checkpoint and returns their block numbers. The caller then begins the block file's
   * checkpoint and, with writers running again, calls {@link #writePending}.
   */
  public long[] markPending() {
    java.util.List<Long> out = new java.util.ArrayList<>();
    cache.forEach(node -> {
      if (node.isDirty()) {
        node.pendingCheckpoint = true;
        out.add(node.key());
      }
    });
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
      Node node = cache.pinWriteIfCached(block);
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

  public long cacheUsedBytes() {
    return cache.usedBytes();
  }

  public long cacheBudgetBytes() {
    return cache.budget();
  }

  public int cachedNodes() {
    return cache.size();
  }

  /**
   * Writes a whole, write-latched (or otherwise unshared) node and marks it clean. A node the
   * checkpoint in progress waits for goes into the checkpoint's image.
   */
  void writeNode(Node node) {
    NodeWriter.Result written = NodeWriter.write(node, codec);
    byte[] block = written.block();
    if (node.pendingCheckpoint) {
      file.writeCheckpointBlock(node.key(), block, 0, block.length);
      node.pendingCheckpoint = false;
      counters.checkpointNodes.increment();
      counters.checkpointBytes.add(block.length);
    } else {
      file.writeBlock(node.key(), block, 0, block.length);
    }
    node.dirty = false;
    node.disk = written.directory();
    counters.nodesWritten.increment();
    counters.nodeBytesWritten.add(block.length);
    if (node.height == 0) {
      counters.leafBytesWritten.add(block.length);
    }
  }

  MessageApplier newApplier() {
    return new MessageApplier(functions, failures);
  }

  /**
   * Whether internal {@code node}'s buffers hold more than a node's worth of messages (pivots do
   * not count: flushing cannot shrink them, splitting does).
   */
  boolean gorged(Node node) {
    return node.height > 0 && node.bufferBytes() > nodeSize;
  }

  /**
   * Whether {@code node} must split: an internal node with more children than the fanout, or with
   * at least four children and pivots of more than half a node (keys near the 16 KiB limit on small
   * nodes); a leaf larger than a node that holds more than one entry. A split always makes at least
   * two pieces of such a node ({@link Reshaper}), so a leaf ends up holding a single entry at the
   * least, and a lone entry larger than a node is a leaf of its own.
   */
  boolean fissible(Node node) {
    if (node.height > 0) {
      return node.n > fanout || (node.n >= 4 && node.pivotBytes() > nodeSize / 2);
    }
    return node.bytes() > nodeSize && (node.n > 1 || node.basements[0].count() > 1);
  }

  /**
   * Whether {@code node} should merge with a sibling: an internal node with few children and few
   * pivot bytes (two children split apart for their large pivots would only split again), a leaf
   * of less than a quarter node.
   */
  boolean fusible(Node node) {
    if (node.height > 0) {
      return node.n < Math.max(2, fanout / 4) && node.pivotBytes() < nodeSize / 8;
    }
    return node.bytes() < nodeSize / 4;
  }
}
