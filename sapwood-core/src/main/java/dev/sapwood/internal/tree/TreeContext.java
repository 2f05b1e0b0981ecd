package dev.sapwood.internal.tree;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.cache.CacheTable;
import dev.sapwood.internal.cache.Pins;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The fixed wiring every tree of one database shares, and the one place it is built: the
 * settings (block file, shape targets, codec, update functions), the MSN counter, the status
 * counters, and the tree's rooms, each built once here and handed what it needs: the node store
 * with its cache ({@link NodeStore}), the partition fetcher ({@link Partitions}), the shape rules
 * ({@link ShapeRules}), the reshaper and the flusher, the drainer and the cleaner ({@link Cleaner}).
 * Also the latch-safety helpers every tree operation goes through: {@link #guarded} and the
 * checked root and child pins.
 *
 * <p>Invariants: every field but {@code background} is final and set once, here; a root pinned
 * through {@link #pinRootRead}/{@link #pinRootWrite} is internal, and a child pinned through
 * {@link #pinChildRead}/{@link #pinChildWrite} has exactly its parent's height minus one and
 * belongs to its parent's tree. A node is loaded through the node it is reached by (its parent;
 * none for a root), so it is published knowing its tree ({@link NodeOwners}).
 */
public final class TreeContext {
  final BlockFile file;
  final int nodeSize;
  final int basementSize;
  final int fanout;
  final byte codec;
  final FunctionResolver functions;
  final MessageApplier.FailureListener failures;
  final AtomicLong msn;
  final TreeCounters counters;
  final NodeStore nodes;
  final CacheTable<Node> cache;
  final ShapeRules shape;
  final Partitions partitions;
  final Reshaper reshaper;
  final Flusher flusher;
  /** Leaf deltas: appended by flushes, consolidated before any change of a leaf's basements. */
  final LeafDeltas deltas;
  final Drainer drainer;
  private final Optimizer optimizer;
  private final DeltaSweep deltaSweep;
  final Cleaner cleaner;
  /** Folds a key's buffered messages on insert and on flush ({@link Combiner}). */
  final Combiner combiner;
  /** The database's open snapshots. */
  public final SnapshotRegistry snapshots;
  /** Which tree each node belongs to, told to it before the cache publishes it. */
  final NodeOwners owners;
  volatile Background background = Background.INLINE;

  /**
   * Builds the shared settings and wires the tree's rooms once.
   *
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
    this.snapshots = new SnapshotRegistry(counters, this.msn::get);
    this.owners = new NodeOwners(snapshots);
    this.nodes = new NodeStore(file, codec, this.counters, cacheBytes, counters, owners);
    this.cache = nodes.cache;
    this.shape = new ShapeRules(nodeSize, fanout);
    this.partitions = new Partitions(file, nodes, this.counters);
    this.reshaper = new Reshaper(this);
    this.flusher = new Flusher(this, reshaper);
    this.deltas = new LeafDeltas(this);
    this.partitions.setConsolidator(deltas::consolidate);
    this.drainer = new Drainer(this, flusher);
    this.optimizer = new Optimizer(this, flusher);
    this.deltaSweep = new DeltaSweep(this, flusher, optimizer);
    this.cleaner = new Cleaner(this);
    this.combiner = new Combiner(functions, failures, snapshots, this.counters.messagesCombined);
  }

  /**
   * How large a leaf's delta may grow before a flush consolidates it, as a fraction of the leaf's
   * bytes (0: flushes rewrite leaves whole, as before format 6); see {@link LeafDeltas}.
   */
  public void leafDeltaRatio(double ratio) {
    deltas.ratio(ratio);
  }

  /** The node store: node writes, and the checkpoint's marking and writing of pending nodes. */
  public NodeStore nodes() {
    return nodes;
  }

  /** Online optimize: drains a tree one root-to-leaf path at a time. */
  public Optimizer optimizer() {
    return optimizer;
  }

  /**
   * The quiet sweep: drains buffered messages into the leaves they wait for, or only consolidates
   * leaves whose deltas mostly repeat their basements' keys.
   */
  public DeltaSweep deltaSweep() {
    return deltaSweep;
  }

  /** The cleaner, which flushes heavy cached internal nodes between writes. */
  public Cleaner cleaner() {
    return cleaner;
  }

  /**
   * For a read-only database: dirty nodes (changes replayed from the log in memory) are never
   * written back by eviction ({@link CacheTable#keepDirty()}).
   */
  public void keepDirtyNodes() {
    cache.keepDirty();
  }

  /** Sets where trees hand background flushes (INLINE until the engine's threads start). */
  public void setBackground(Background b) {
    this.background = b;
    cache.setBackground(b::submit);
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
  Node pinRootRead(long block, Pins pins) {
    return checkRoot(cache.pinRead(block, pins, null), false);
  }

  /** Write-pins the root of a tree; a {@link CorruptionException} as in {@link #pinRootRead}. */
  Node pinRootWrite(long block) {
    return checkRoot(cache.pinWrite(block, null), true);
  }

  /**
   * Read-pins child {@code c} of pinned internal node {@code parent}. Invariant: a child's height
   * is exactly its parent's minus one. Checked on every fetch, it makes a cycle of child pointers
   * (a node its own child, or its parent's) a {@link CorruptionException} at its first step
   * instead of an endless descent.
   */
  Node pinChildRead(Node parent, int c, Pins pins) {
    return checkChild(parent, c, cache.pinRead(parent.children[c], pins, parent), false);
  }

  /** Write-pins child {@code c} of write-pinned {@code parent}; checked as {@link #pinChildRead}. */
  Node pinChildWrite(Node parent, int c) {
    return checkChild(parent, c, cache.pinWrite(parent.children[c], parent), true);
  }

  /**
   * Write-pins child {@code c} of write-pinned internal node {@code parent} if it is cached, with
   * the checks of {@link #pinChildWrite}; null (and no read) if it is not, or if {@code wait} is
   * false and another thread holds or waits for its latch.
   */
  Node pinChildWriteIfCached(Node parent, int c, boolean wait) {
    long key = parent.children[c];
    Node child = cache.pinWriteIfCached(key, wait);
    return child == null ? null : checkChild(parent, c, child, true);
  }

  /**
   * The logical row count of the tree whose root is {@code rootBlock}: entries in its leaves, kept
   * as flushes apply messages to them (TokuFT's logical rows). Buffered messages are not in it.
   */
  public LongAdder rows(long rootBlock) {
    return owners.rows(rootBlock);
  }

  private Node checkRoot(Node root, boolean write) {
    root.checkLive("reached as a root");
    if (root.height > 0) {
      assert owners.ownsRoot(root) : "root " + root.key() + " published without its tree's versions store";
      return root;
    }
    unpin(root, write);
    throw new CorruptionException(file.name(), offsetOf(root.key()),
        "tree root block " + root.key() + " holds a leaf; a root is always internal");
  }

  Node checkChild(Node parent, int c, Node child, boolean write) {
    child.checkLive("reached as a child"); // read as live after its free: see Node's invariants
    if (child.height == parent.height - 1) {
      if (child.versions != parent.versions) {
        // A block belongs to one tree for life (block numbers are never reused), and a node is
        // published knowing its tree (NodeOwners): the parent it was first loaded through, or the
        // one that made it. Another tree's: a child pointer of damaged data.
        unpin(child, write);
        throw new CorruptionException(file.name(), offsetOf(parent.key()),
            "node block " + parent.key() + ": child " + c + " (block " + child.key()
                + ") belongs to another tree");
      }
      assert child.versions != null && child.rows == parent.rows
          : "node " + child.key() + " published without its tree";
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

  /**
   * Takes the next MSN. REQUIRES: the root the message goes to is latched from here until the
   * message is in it ({@link BeTree#insertLatched}), so each tree receives MSNs in ascending order.
   */
  public long nextMsn() {
    return msn.incrementAndGet();
  }

  /** Bytes of the messages injected since the database opened ({@code tree.message_bytes}). */
  public long messageBytes() {
    return counters.registry.value(TreeCounters.MESSAGE_BYTES);
  }

  /** The highest MSN handed out so far. */
  public long lastMsn() {
    return msn.get();
  }

  /**
   * Gives the node store its off-heap tier of compressed frames (null: none); call once, before
   * any tree opens. The tier's direct memory has its own budget; its index lives in the heap and
   * is counted against the heap cache's budget.
   */
  public void frameCache(dev.sapwood.internal.cache.FrameCache tier) {
    nodes.frameTier(tier);
  }

  /** Lets the off-heap memory go (the parked nodes', then the tier's); nothing reads it after this. */
  public void closeOffHeap() {
    if (nodes.parked != null) {
      nodes.parked.close();
    }
    if (nodes.frames != null) {
      nodes.frames.close();
    }
  }

  /** The off-heap tier, or null. */
  public dev.sapwood.internal.cache.FrameCache frameCache() {
    return nodes.frames;
  }

  public long cacheUsedBytes() {
    return cache.usedBytes();
  }

  public long cacheBudgetBytes() {
    return cache.budget();
  }

  /** The pools' bytes the heap cache's budget counted at its last eviction run. */
  public long cachePooledBytes() {
    return cache.pooledBytes();
  }

  public int cachedNodes() {
    return cache.size();
  }

  /**
   * The cache's bytes by kind, read racily (for stats): dirty internal nodes, dirty leaves, all
   * internal nodes.
   */
  public long[] cacheBytesByKind() {
    long[] out = new long[3];
    cache.forEach(node -> {
      long bytes = cache.accountedBytes(node);
      boolean internal = node.height > 0;
      if (node.isDirty()) {
        out[internal ? 0 : 1] += bytes;
      }
      if (internal) {
        out[2] += bytes;
      }
    });
    return out;
  }

  /**
   * The arena blocks kept for reuse ({@link BlockPool}: process-wide): bytes held now, and since
   * the process started the blocks lent again, allocated because none was kept, and given back to
   * a full pool (left to the collector).
   */
  public static long[] blockPoolFigures() {
    return new long[] {BlockPool.heldBytes(), BlockPool.reusedBlocks(), BlockPool.allocatedBlocks(),
        BlockPool.droppedBlocks()};
  }

  MessageApplier newApplier() {
    return new MessageApplier(functions, failures);
  }
}
