package dev.sapwood.internal.tree;

import dev.sapwood.SapwoodException;
import dev.sapwood.internal.events.FlushEvent;
import dev.sapwood.internal.events.WriteStallEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * One B^ε-tree: inserts messages at the root, answers point queries and reads cursor chunks by
 * applying buffered messages on the way down. The root's block number never changes.
 *
 * <p>Invariants: the root's block number never changes, and the root is always internal (height
 * at least 1), so every change enters a buffer.
 *
 * <p>Locking: writers write-latch the root and take each message's MSN with it latched, so a
 * key's messages enter the tree, and reach its leaf, in MSN order; they flush parent-before-child. Readers couple read latches down one
 * root-to-leaf path. Thread-safe.
 */
public final class BeTree {
  private final TreeContext ctx;
  private final long root;
  private final Flusher flusher;
  private final java.util.concurrent.atomic.AtomicBoolean flushQueued = new java.util.concurrent.atomic.AtomicBoolean();
  /** Set by {@link #destroy}: a root flush queued before then finds its blocks freed and does nothing. */
  private volatile boolean destroyed;
  /** The old values this tree's live snapshots still need (see {@link Versions}). */
  private final Versions versions;
  private static final byte[] EMPTY = new byte[0];
  /** The root pinned by {@link #latchRoot} until {@link #unlatchRoot}; guarded by its latch. */
  private Node latched;

  public BeTree(TreeContext ctx, long rootBlock) {
    this.ctx = ctx;
    this.root = rootBlock;
    this.flusher = ctx.flusher;
    this.versions = new Versions(ctx.snapshots);
    ctx.versionsByRoot.put(rootBlock, versions);
    ctx.snapshots.register(versions);
  }

  /**
   * Creates an empty tree — a root of height 1 over one empty leaf — and returns its root block
   * number. The root is always internal, so even a small tree's writes are buffered and reach the
   * leaf in batches instead of rebuilding a basement per write.
   */
  public static long create(TreeContext ctx) {
    Node leaf = ctx.cache.insertPinned(Node.newLeaf(ctx.file.allocateBlockNumber()));
    Node root = ctx.cache.insertPinned(new Node(ctx.file.allocateBlockNumber()));
    root.setInternal(1, new byte[0][], new long[] {leaf.key()}, new MessageBuffer[] {new MessageBuffer()});
    root.dirty = true;
    long block = root.key();
    ctx.cache.unpinWrite(leaf);
    ctx.cache.unpinWrite(root);
    return block;
  }

  public long rootBlock() {
    return root;
  }

  public void put(byte[] key, byte[] value) {
    apply(MessageType.PUT, key, value, null);
  }

  public void delete(byte[] key) {
    apply(MessageType.DELETE, key, EMPTY, null);
  }

  public void update(byte[] key, byte[] fnName, byte[] argument) {
    apply(MessageType.UPDATE, key, argument, fnName);
  }

  public void deleteRange(byte[] from, byte[] to) {
    apply(MessageType.DELETE_RANGE, from, to, null);
  }

  /**
   * Applies one change with the next MSN, as one latch, insert and unlatch. For changes that need
   * no log order (replay, which runs alone, and tests); the engine's write path sequences its
   * changes itself through {@link #latchRoot}, {@link #insertLatched} and {@link #unlatchRoot}.
   *
   * @param type a {@link MessageType} code; for DELETE {@code value} is ignored, for
   *     DELETE_RANGE it is the exclusive end key (an empty or inverted range changes nothing)
   */
  public void apply(byte type, byte[] key, byte[] value, byte[] fnName) {
    latchRoot();
    boolean inserted = false;
    try {
      insertLatched(type, key, value, fnName, ctx.nextMsn());
      inserted = true;
    } finally {
      if (!inserted) {
        abandonLatch();
      }
    }
    unlatchRoot();
  }

  /**
   * Write-latches the root for {@link #insertLatched} calls, until {@link #unlatchRoot}. Readers of
   * this tree wait meanwhile, so they see all or none of what is inserted under one latch.
   *
   * <p>REQUIRES: the calling thread holds no other root latch of a tree with a larger tree id
   * (roots are latched in ascending tree id, so two writers of the same trees cannot deadlock).
   */
  public void latchRoot() {
    latched = ctx.guarded(() -> {
      Node r = ctx.pinRootWrite(root);
      ctx.partitions.prepareChange(r);
      return r;
    });
  }

  /**
   * Inserts one message with {@code msn} into the latched root's buffers.
   *
   * <p>REQUIRES: the root is latched by this thread ({@link #latchRoot}); {@code msn} is larger
   * than every MSN already in the tree (the caller takes MSNs in one critical section with the
   * latch held, so a key's messages enter, and therefore apply, in MSN order).
   */
  public void insertLatched(byte type, byte[] key, byte[] value, byte[] fn, long msn) {
    Node r = latched;
    if (r == null || !r.isWriteLatchedByCurrentThread()) {
      throw new SapwoodException("internal error: insert without the root latch");
    }
    if (!MessageType.isValid(type)) {
      throw new IllegalArgumentException("message type " + type);
    }
    if (msn <= r.maxMsn) {
      throw new SapwoodException("internal error: MSN " + msn + " is not above the root's " + r.maxMsn);
    }
    byte[] v = type == MessageType.DELETE ? EMPTY : value;
    ctx.counters.messagesInjected.increment();
    r.maxMsn = msn;
    r.dirty = true;
    if (type == MessageType.DELETE_RANGE) {
      for (int i = 0; i < r.n; i++) {
        byte[] lo = r.lowerBound(i);
        byte[] hi = r.upperBound(i);
        if ((hi == null || Keys.compare(key, hi) < 0) && (lo == null || Keys.compare(v, lo) > 0)) {
          r.buffers[i].add(type, msn, key, 0, key.length, v, 0, v.length, null);
        }
      }
    } else {
      r.buffers[r.partitionFor(key)].add(type, msn, key, 0, key.length, v, 0, v.length, fn);
    }
  }

  /**
   * Lets the latched root go. A gorged root is handed to a background flush while it holds less
   * than twice its size; past that this writer flushes it itself (back-pressure: slowed, never
   * stopped dead). REQUIRES: the calling thread holds no other root latch (a flush re-latches
   * this root; use {@link #releaseRoot} when letting several go).
   */
  public void unlatchRoot() {
    if (releaseRoot()) {
      flushAsWriter();
    }
  }

  /**
   * Lets the latched root go without flushing it; returns true if this writer must then flush it
   * itself ({@link #flushAsWriter}, once it holds no root latch): it is gorged, and past twice
   * its size or no background flush could take it.
   */
  public boolean releaseRoot() {
    Node r = latched;
    latched = null;
    return ctx.guarded(() -> {
      boolean mustFlush = ctx.shape.gorged(r)
          && !(r.bufferBytes() <= 2L * ctx.nodeSize && (flushQueued.get() || queueFlush()));
      ctx.cache.unpinWrite(r);
      return mustFlush;
    });
  }

  /**
   * Flushes the root if it is gorged: a writer's back-pressure after {@link #releaseRoot}.
   * REQUIRES: the calling thread holds no root latch.
   */
  public void flushAsWriter() {
    ctx.guarded(() -> {
      Node r = ctx.pinRootWrite(root);
      if (ctx.shape.gorged(r)) {
        ctx.counters.inlineFlushes.increment();
        long buffered = r.bufferBytes();
        WriteStallEvent stall = WriteStallEvent.start(WriteStallEvent.ROOT_FULL, buffered, ctx.nodeSize);
        FlushEvent flush = FlushEvent.start(FlushEvent.ROOT, r.key(), r.height, buffered);
        flusher.flushFromRoot(r);
        FlushEvent.finish(flush);
        WriteStallEvent.finish(stall);
      } else {
        ctx.cache.unpinWrite(r);
      }
      return null;
    });
  }

  /**
   * Releases every latch and pin the calling thread holds, after a failure between {@link
   * #latchRoot} and {@link #unlatchRoot} (of this or any other tree). The database fails the write
   * path then: what was inserted stays in memory but is never checkpointed.
   */
  public void abandonLatch() {
    Node r = latched;
    if (r != null && r.isWriteLatchedByCurrentThread()) {
      latched = null;
    }
    ctx.cache.releaseHeld();
  }

  private boolean queueFlush() {
    if (!flushQueued.compareAndSet(false, true)) {
      return true;
    }
    boolean taken = ctx.background.submit(() -> ctx.guarded(() -> {
      flushQueued.set(false);
      if (destroyed) {
        return null; // dropped since it was queued (the drop held the database's exclusive lock)
      }
      Node r = ctx.pinRootWrite(root);
      if (ctx.shape.gorged(r)) {
        ctx.counters.backgroundFlushes.increment();
        FlushEvent flush = FlushEvent.start(FlushEvent.BACKGROUND, r.key(), r.height, r.bufferBytes());
        flusher.flushFromRoot(r);
        FlushEvent.finish(flush);
      } else {
        ctx.cache.unpinWrite(r);
      }
      return null;
    }));
    if (!taken) {
      flushQueued.set(false);
    }
    return taken;
  }

  /** The value of {@code key} with every buffered message applied, or null. */
  public byte[] get(byte[] key) {
    return ctx.guarded(() -> getUnguarded(key, Long.MAX_VALUE));
  }

  /**
   * The value of {@code key} at the snapshot {@code s} (an open snapshot's MSN, see {@link
   * SnapshotRegistry}), or null: the buffered messages at or below {@code s} applied to the leaf's
   * entry, or the version a flush kept for the snapshot.
   */
  public byte[] get(byte[] key, long s) {
    return ctx.guarded(() -> getUnguarded(key, s));
  }

  private byte[] getUnguarded(byte[] key, long s) {
    MessageBuffer collected = new MessageBuffer(64);
    Node node = ctx.pinRootRead(root);
    while (node.height > 0) {
      int c = node.partitionFor(key);
      MessageBuffer buf = ctx.partitions.bufferFor(node, c, key);
      for (int i = buf.lowerBound(key); i < buf.pointCount() && buf.compareKey(buf.point(i), key) == 0; i++) {
        if (buf.msn(buf.point(i)) <= s) {
          collected.addCopy(buf, buf.point(i));
        }
      }
      for (int i = 0; i < buf.rangeCount(); i++) {
        if (buf.msn(buf.range(i)) <= s && buf.rangeCovers(buf.range(i), key, 0, key.length)) {
          collected.addCopy(buf, buf.range(i));
        }
      }
      Node child = ctx.pinChildRead(node, c);
      ctx.cache.unpinRead(node);
      node = child;
    }
    Basement b;
    try {
      b = ctx.partitions.basementFor(node, node.partitionFor(key), key);
    } finally {
      ctx.cache.unpinRead(node);
    }
    if (s != Long.MAX_VALUE) {
      byte[] kept = versions.at(key, s); // after the basement: see Versions
      if (kept != Versions.LEAF) {
        return kept == null ? null : kept.clone();
      }
    }
    int at = b.find(key);
    Chunk one = new Chunk();
    ctx.newApplier().apply(b, Math.max(at, 0), at >= 0 ? at + 1 : 0, collected, 0, collected.pointCount(),
        key, Keys.successor(key), b.maxMsn(), one);
    return one.size() == 0 ? null : one.value(0);
  }

  /**
   * Reads the chunk of live entries starting at {@code from} (inclusive; null = the first key) up
   * to the end of the basement holding it.
   */
  public Chunk readForward(byte[] from) {
    return readForward(from, Integer.MAX_VALUE);
  }

  /**
   * Like {@link #readForward(byte[])}, but stops after {@code limit} entries; the chunk's {@code
   * next} is then just past its last key. A seek followed by a few steps reads a few entries, not
   * the rest of a basement.
   */
  public Chunk readForward(byte[] from, int limit) {
    return ctx.guarded(() -> readChunkUnguarded(true, from == null ? new byte[0] : from, null, limit, Long.MAX_VALUE));
  }

  /** {@link #readForward(byte[], int)} at the snapshot {@code s} (see {@link #get(byte[], long)}). */
  public Chunk readForward(byte[] from, int limit, long s) {
    return ctx.guarded(() -> readChunkUnguarded(true, from == null ? new byte[0] : from, null, limit, s));
  }

  /** {@link #readBackward(byte[])} at the snapshot {@code s} (see {@link #get(byte[], long)}). */
  public Chunk readBackward(byte[] to, long s) {
    return ctx.guarded(() -> readChunkUnguarded(false, to, null, Integer.MAX_VALUE, s));
  }

  /**
   * Like {@link #readForward(byte[], int)}, but reads no key at or past {@code stop} (exclusive;
   * null = no stop): a bounded cursor that reaches its range's end in a basement applies nothing
   * beyond it, and the chunk is {@link Chunk#atEnd()} once nothing is left below {@code stop}.
   */
  public Chunk readForward(byte[] from, byte[] stop, int limit) {
    return ctx.guarded(() -> readChunkUnguarded(true, from == null ? new byte[0] : from, stop, limit, Long.MAX_VALUE));
  }

  /**
   * Reads the chunk of live entries below {@code to} (exclusive; null = past the last key) down
   * to the start of the basement holding the largest key below it.
   */
  public Chunk readBackward(byte[] to) {
    return readBackward(to, null);
  }

  /**
   * Like {@link #readBackward(byte[])}, but reads no key below {@code stop} (inclusive lower
   * bound; null = none), and the chunk is {@link Chunk#atEnd()} once nothing is left at or above it.
   */
  public Chunk readBackward(byte[] to, byte[] stop) {
    return ctx.guarded(() -> readChunkUnguarded(false, to, stop, Integer.MAX_VALUE, Long.MAX_VALUE));
  }

  /** {@link #readForward(byte[], byte[], int)} at the snapshot {@code s} (see {@link #get(byte[], long)}). */
  public Chunk readForward(byte[] from, byte[] stop, int limit, long s) {
    return ctx.guarded(() -> readChunkUnguarded(true, from == null ? new byte[0] : from, stop, limit, s));
  }

  /** {@link #readBackward(byte[], byte[])} at the snapshot {@code s} (see {@link #get(byte[], long)}). */
  public Chunk readBackward(byte[] to, byte[] stop, long s) {
    return ctx.guarded(() -> readChunkUnguarded(false, to, stop, Integer.MAX_VALUE, s));
  }

  /**
   * {@code stop}: null, or where the caller's range ends in the direction of the read; {@code s}:
   * the snapshot read at, or {@link Long#MAX_VALUE} for the tree as it is.
   */
  private Chunk readChunkUnguarded(boolean forward, byte[] bound, byte[] stop, int limit, long s) {
    List<Node> path = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    byte[] lo = null;
    byte[] hi = null;
    Node node = ctx.pinRootRead(root);
    try {
      while (true) {
        int c = forward ? node.partitionFor(bound) : node.partitionBefore(bound);
        lo = Keys.maxLow(lo, node.lowerBound(c));
        hi = Keys.minHigh(hi, node.upperBound(c));
        path.add(node);
        slots.add(c);
        if (node.height == 0) {
          break;
        }
        node = ctx.pinChildRead(node, c);
      }
      byte[] from = forward ? bound : Keys.maxLow(lo, stop);
      byte[] to = forward ? Keys.minHigh(hi, stop) : bound;
      MessageBuffer collected = new MessageBuffer(256);
      for (int i = 0; i < path.size() - 1; i++) {
        ctx.partitions.buffer(path.get(i), slots.get(i)).copyRangeTo(from, to, collected, s);
      }
      Basement b = ctx.partitions.basement(node, slots.get(slots.size() - 1));
      Chunk chunk = new Chunk(limit);
      ctx.newApplier().apply(b, b.lowerBound(from), b.lowerBoundOrEnd(to), collected,
          collected.lowerBound(from), collected.lowerBoundOrEnd(to), from, to, b.maxMsn(), chunk);
      if (forward && chunk.full()) {
        chunk.next = Keys.successor(chunk.key(chunk.size() - 1));
      } else {
        chunk.next = forward ? hi : lo;
      }
      chunk.atEnd = chunk.next == null
          || stop != null && (forward ? Keys.compare(chunk.next, stop) >= 0 : Keys.compare(chunk.next, stop) <= 0);
      if (s != Long.MAX_VALUE) {
        // After the basement was taken (see Versions): the versions kept for this snapshot replace
        // what the leaf says for their keys in the chunk's range (clipped to the caller's stop).
        versions.forEachAt(from, forward && chunk.full() ? chunk.next : to, s, chunk::overlay);
      }
      return chunk;
    } finally {
      for (Node n : path) {
        ctx.cache.unpinRead(n);
      }
    }
  }

  /**
   * Flushes every buffered message down to the leaves, merging and collapsing the tree where the
   * messages emptied it. Safe to run concurrently with readers and writers.
   */
  public void flushAll() {
    ctx.guarded(() -> {
      ctx.drainer.drain(root);
      return null;
    });
  }

  /**
   * Frees every block of this tree. The caller guarantees no one else uses the tree (the database
   * holds its exclusive lock).
   */
  public void destroy() {
    destroyed = true;
    ctx.versionsByRoot.remove(root, versions);
    ctx.snapshots.unregister(versions);
    ctx.guarded(() -> {
      destroy(ctx.pinRootWrite(root));
      return null;
    });
  }

  /** Frees write-pinned {@code node} and everything below it. */
  private void destroy(Node node) {
    if (node.height > 0) {
      for (int c = 0; c < node.n; c++) {
        destroy(ctx.pinChildWrite(node, c));
      }
    }
    flusher.reshaper().free(node);
  }
}
