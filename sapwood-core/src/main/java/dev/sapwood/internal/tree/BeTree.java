package dev.sapwood.internal.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * One B^ε-tree: inserts messages at the root, answers point queries and reads cursor chunks by
 * applying buffered messages on the way down. The root's block number never changes.
 *
 * <p>Invariants: the root's block number never changes, and the root is always internal (height
 * at least 1), so every change enters a buffer.
 *
 * <p>Locking: writers write-latch the root (MSNs are assigned under it, so a key's messages enter
 * the tree in MSN order) and flush parent-before-child. Readers couple read latches down one
 * root-to-leaf path. Thread-safe.
 */
public final class BeTree {
  private final TreeContext ctx;
  private final long root;
  private final Flusher flusher;
  private final java.util.concurrent.atomic.AtomicBoolean flushQueued = new java.util.concurrent.atomic.AtomicBoolean();
  /** Set by {@link #destroy}: a root flush queued before then finds its blocks freed and does nothing. */
  private volatile boolean destroyed;
  private static final byte[] EMPTY = new byte[0];

  public BeTree(TreeContext ctx, long rootBlock) {
    this.ctx = ctx;
    this.root = rootBlock;
    this.flusher = ctx.flusher;
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
    inject(MessageType.PUT, key, value, null, Journal.NONE);
  }

  public void delete(byte[] key) {
    inject(MessageType.DELETE, key, EMPTY, null, Journal.NONE);
  }

  public void update(byte[] key, byte[] fnName, byte[] argument) {
    inject(MessageType.UPDATE, key, argument, fnName, Journal.NONE);
  }

  public void deleteRange(byte[] from, byte[] to) {
    inject(MessageType.DELETE_RANGE, from, to, null, Journal.NONE);
  }

  /**
   * Applies one change, telling {@code journal} of it under the root's write latch first.
   *
   * @param type a {@link MessageType} code; for DELETE {@code value} is ignored, for
   *     DELETE_RANGE it is the exclusive end key (an empty or inverted range changes nothing), for
   *     UPDATE_RANGE the end and argument as {@link RangeUpdates#encode} makes them (checked by
   *     the caller)
   */
  public void apply(byte type, byte[] key, byte[] value, byte[] fnName, Journal journal) {
    if (!MessageType.isValid(type)) {
      throw new IllegalArgumentException("message type " + type);
    }
    inject(type, key, type == MessageType.DELETE ? EMPTY : value, fnName, journal);
  }

  private void inject(byte type, byte[] key, byte[] value, byte[] fn, Journal journal) {
    ctx.guarded(() -> {
      injectUnguarded(type, key, value, fn, journal);
      return null;
    });
  }

  private void injectUnguarded(byte type, byte[] key, byte[] value, byte[] fn, Journal journal) {
    Node r = ctx.pinRootWrite(root);
    ctx.partitions.prepareChange(r);
    journal.record(type, key, value, fn);
    long msn = ctx.msn.incrementAndGet();
    ctx.counters.messagesInjected.increment();
    r.maxMsn = msn;
    r.dirty = true;
    if (MessageType.isRange(type)) {
      for (int i = 0; i < r.n; i++) {
        if (RangeUpdates.overlaps(type, key, value, r.lowerBound(i), r.upperBound(i))) {
          r.buffers[i].add(type, msn, key, 0, key.length, value, 0, value.length, fn);
        }
      }
    } else {
      r.buffers[r.partitionFor(key)].add(type, msn, key, 0, key.length, value, 0, value.length, fn);
    }
    if (!ctx.shape.gorged(r)) {
      ctx.cache.unpinWrite(r);
      return;
    }
    // Hand the flush to a background thread while the root holds less than twice its size;
    // past that the writer flushes itself (back-pressure: slowed, never stopped dead).
    if (r.bufferBytes() <= 2L * ctx.nodeSize && (flushQueued.get() || queueFlush())) {
      ctx.cache.unpinWrite(r);
      return;
    }
    ctx.counters.inlineFlushes.increment();
    flusher.flushFromRoot(r);
  }

  private boolean queueFlush() {
    if (!flushQueued.compareAndSet(false, true)) {
      return true;
    }
    long queued = System.nanoTime();
    boolean taken = ctx.background.submit(() -> ctx.guarded(() -> {
      flushQueued.set(false);
      if (destroyed) {
        return null; // dropped since it was queued (the drop held the database's exclusive lock)
      }
      Node r = ctx.pinRootWrite(root);
      if (ctx.shape.gorged(r)) {
        ctx.counters.backgroundFlushes.increment();
        long started = System.nanoTime();
        flusher.flushFromRoot(r);
        ctx.counters.backgroundFlushTimes(started - queued, System.nanoTime() - started);
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
    return ctx.guarded(() -> getUnguarded(key));
  }

  private byte[] getUnguarded(byte[] key) {
    MessageBuffer collected = new MessageBuffer(64);
    Node node = ctx.pinRootRead(root);
    while (node.height > 0) {
      int c = node.partitionFor(key);
      MessageBuffer buf = ctx.partitions.bufferFor(node, c, key);
      for (int i = buf.lowerBound(key); i < buf.pointCount() && buf.compareKey(buf.point(i), key) == 0; i++) {
        collected.addCopy(buf, buf.point(i));
      }
      for (int i = 0; i < buf.rangeCount(); i++) {
        if (buf.rangeCovers(buf.range(i), key, 0, key.length)) {
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
    return ctx.guarded(() -> readChunkUnguarded(true, from == null ? new byte[0] : from, limit));
  }

  /**
   * Reads the chunk of live entries below {@code to} (exclusive; null = past the last key) down
   * to the start of the basement holding the largest key below it.
   */
  public Chunk readBackward(byte[] to) {
    return readChunk(false, to);
  }

  private Chunk readChunk(boolean forward, byte[] bound) {
    return ctx.guarded(() -> readChunkUnguarded(forward, bound, Integer.MAX_VALUE));
  }

  private Chunk readChunkUnguarded(boolean forward, byte[] bound, int limit) {
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
      byte[] from = forward ? bound : lo;
      byte[] to = forward ? hi : bound;
      MessageBuffer collected = new MessageBuffer(256);
      for (int i = 0; i < path.size() - 1; i++) {
        ctx.partitions.buffer(path.get(i), slots.get(i)).copyRangeTo(from, to, collected);
      }
      Basement b = ctx.partitions.basement(node, slots.get(slots.size() - 1));
      Chunk chunk = new Chunk(limit);
      ctx.newApplier().apply(b, b.lowerBound(from), b.lowerBoundOrEnd(to), collected,
          collected.lowerBound(from), collected.lowerBoundOrEnd(to), from, to, b.maxMsn(), chunk);
      if (forward && chunk.full()) {
        chunk.next = Keys.successor(chunk.key(chunk.size() - 1));
        chunk.atEnd = false;
        return chunk;
      }
      chunk.next = forward ? hi : lo;
      chunk.atEnd = chunk.next == null;
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
   * The tree's logical row count: the entries in its leaves, kept as flushes apply messages there
   * (exact for them), without the changes still buffered above the leaves. No walk, no latch.
   */
  public long approximateRows() {
    return ctx.rows(root).sum();
  }

  /**
   * Frees every block of this tree. The caller guarantees no one else uses the tree (the database
   * holds its exclusive lock).
   */
  public void destroy() {
    destroyed = true;
    ctx.forgetRows(root);
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
