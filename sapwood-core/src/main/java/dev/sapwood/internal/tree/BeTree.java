package dev.sapwood.internal.tree;

import dev.sapwood.SapwoodException;
import java.util.concurrent.atomic.LongAdder;

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
  /** The root's background and inline flushes. */
  private final RootFlushes flushes;
  /** The old values this tree's live snapshots still need (see {@link Versions}). */
  private final Versions versions;
  /** Point queries and cursor chunks (the read path). */
  private final TreeReader reader;
  /** Puts at the right edge straight into the rightmost leaf (TokuFT's sequential-insert heuristic). */
  private final RightEdge edge;
  private static final byte[] EMPTY = new byte[0];
  /** The root pinned by {@link #latchRoot} until {@link #unlatchRoot}; guarded by its latch. */
  private Node latched;

  public BeTree(TreeContext ctx, long rootBlock) {
    this.ctx = ctx;
    this.root = rootBlock;
    this.flusher = ctx.flusher;
    this.versions = new Versions(ctx.snapshots);
    this.reader = new TreeReader(ctx, rootBlock, versions);
    this.flushes = new RootFlushes(ctx, rootBlock);
    this.edge = new RightEdge(ctx, versions);
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
    root.markDirty();
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
   *     DELETE_RANGE it is the exclusive end key (an empty or inverted range changes nothing), for
   *     UPDATE_RANGE the end and argument as {@link RangeUpdates#encode} makes them (checked by
   *     the caller)
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
   * Inserts one message with {@code msn} into the latched root's buffers, or, for a put above
   * everything at the tree's right edge with nothing buffered above it, straight into the
   * rightmost leaf ({@link RightEdge}, TokuFT's sequential-insert heuristic).
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
    ctx.counters.messageBytes.add(MessageArena.HEADER + key.length + 4 + v.length);
    r.maxMsn = msn;
    r.markDirty();
    if (MessageType.isRange(type)) {
      for (int i = 0; i < r.n; i++) {
        if (RangeUpdates.overlaps(type, key, v, r.lowerBound(i), r.upperBound(i))) {
          r.buffers[i].add(type, msn, key, 0, key.length, v, 0, v.length, fn);
        }
      }
    } else if (type != MessageType.PUT || !edge.tryPromote(r, key, v, msn)) {
      r.buffers[r.partitionFor(key)].add(type, msn, key, 0, key.length, v, 0, v.length, fn, ctx.combiner);
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
      edge.beforeRelease();
      boolean mustFlush = ctx.shape.gorged(r) && flushes.writerMustFlush(r);
      ctx.cache.unpinWrite(r);
      return mustFlush;
    });
  }

  /**
   * Flushes the root if it is gorged: a writer's back-pressure after {@link #releaseRoot}.
   * REQUIRES: the calling thread holds no root latch.
   */
  public void flushAsWriter() {
    flushes.flushAsWriter();
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
      edge.forget();
    }
    ctx.cache.releaseHeld();
  }

  /** The value of {@code key} with every buffered message applied, or null. */
  public byte[] get(byte[] key) {
    return reader.get(key, Long.MAX_VALUE);
  }

  /**
   * The value of {@code key} at the snapshot {@code s} (an open snapshot's MSN, see {@link
   * SnapshotRegistry}), or null: the buffered messages at or below {@code s} applied to the leaf's
   * entry, or the version a flush kept for the snapshot.
   */
  public byte[] get(byte[] key, long s) {
    return reader.get(key, s);
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
    return readForward(from, null, limit, Long.MAX_VALUE);
  }

  /** {@link #readForward(byte[], int)} at the snapshot {@code s} (see {@link #get(byte[], long)}). */
  public Chunk readForward(byte[] from, int limit, long s) {
    return readForward(from, null, limit, s);
  }

  /** {@link #readBackward(byte[])} at the snapshot {@code s} (see {@link #get(byte[], long)}). */
  public Chunk readBackward(byte[] to, long s) {
    return readBackward(to, null, s);
  }

  /**
   * Like {@link #readForward(byte[], int)}, but reads no key at or past {@code stop} (exclusive;
   * null = no stop): a bounded cursor that reaches its range's end in a basement applies nothing
   * beyond it, and the chunk is {@link Chunk#atEnd()} once nothing is left below {@code stop}.
   */
  public Chunk readForward(byte[] from, byte[] stop, int limit) {
    return readForward(from, stop, limit, Long.MAX_VALUE);
  }

  /** {@link #readForward(byte[], byte[], int)} at the snapshot {@code s} (Long.MAX_VALUE: none). */
  public Chunk readForward(byte[] from, byte[] stop, int limit, long s) {
    return reader.readForward(from, stop, limit, s);
  }

  /**
   * Reads the chunk of live entries below {@code to} (exclusive; null = past the last key) down
   * to the start of the basement holding the largest key below it.
   */
  public Chunk readBackward(byte[] to) {
    return readBackward(to, null, Long.MAX_VALUE);
  }

  /**
   * Like {@link #readBackward(byte[])}, but reads no key below {@code stop} (inclusive lower
   * bound; null = none), and the chunk is {@link Chunk#atEnd()} once nothing is left at or above it.
   */
  public Chunk readBackward(byte[] to, byte[] stop) {
    return readBackward(to, stop, Long.MAX_VALUE);
  }

  /** {@link #readBackward(byte[], byte[])} at the snapshot {@code s} (Long.MAX_VALUE: none). */
  public Chunk readBackward(byte[] to, byte[] stop, long s) {
    return readBackward(to, stop, Integer.MAX_VALUE, s);
  }

  /**
   * Like {@link #readBackward(byte[], byte[], long)}, but the chunk reaches down only about {@code
   * limit} of the basement's entries below {@code to} (never fewer entries of the range than that
   * for this reason; buffered messages may add or remove some): a cursor stepping back a few
   * entries reads a few entries' frames and messages, not a whole basement's.
   */
  public Chunk readBackward(byte[] to, byte[] stop, int limit, long s) {
    if (limit < 1) {
      throw new IllegalArgumentException("chunk limit " + limit);
    }
    return reader.readBackward(to, stop, limit, s);
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
   * Whether the tree is empty as a bulk load needs it: a root of height 1 with an empty buffer over
   * one empty leaf, and no old values kept for snapshots. (A tree whose keys were all deleted is
   * empty once its buffers are drained and the tree has collapsed, e.g. after optimize.)
   */
  public boolean isEmptyForLoad() {
    return ctx.guarded(() -> {
      Node r = ctx.pinRootRead(root, ctx.cache.pins());
      try {
        if (r.height != 1 || r.n != 1 || !ctx.partitions.buffer(r, 0).isEmpty()) {
          return false;
        }
        Node leaf = ctx.pinChildRead(r, 0, ctx.cache.pins());
        try {
          return leaf.n == 1 && ctx.partitions.basement(leaf, 0).count() == 0 && versions.size() == 0
              && (leaf.deltaBlock == 0 || ctx.deltas.isEmpty(leaf));
        } finally {
          ctx.cache.unpinRead(leaf);
        }
      } finally {
        ctx.cache.unpinRead(r);
      }
    });
  }

  /**
   * Installs a bulk load ({@link BulkBuilder}) under this tree's root: maps its staged blocks, frees
   * the empty leaf, and makes the root the top of the built tree; the row count becomes the load's.
   * Readers see nothing of the load before this and all of it after.
   *
   * <p>REQUIRES: the caller excludes every other reader and writer of the database (it holds the
   * database's exclusive lock), so no snapshot opens and no message enters meanwhile.
   *
   * @throws IllegalStateException if the tree is not {@link #isEmptyForLoad() empty} or a
   *     snapshot is open (it would see the load); nothing is changed then
   */
  public void installLoad(BulkBuilder.Built built) {
    ctx.guarded(() -> {
      Node r = ctx.pinRootWrite(root);
      ctx.partitions.prepareChange(r);
      if (r.height != 1 || r.n != 1 || !r.buffers[0].isEmpty()) {
        throw new IllegalStateException("the tree is not empty");
      }
      Node leaf = ctx.pinChildWrite(r, 0);
      ctx.partitions.prepareChange(leaf); // a delta's messages count too
      if (leaf.n != 1 || leaf.basements[0].count() != 0 || versions.size() != 0) {
        throw new IllegalStateException("the tree is not empty");
      }
      if (ctx.snapshots.openCount() > 0) {
        throw new IllegalStateException(ctx.snapshots.openCount() + " snapshots or transactions are open;"
            + " a bulk load installs only when none is (they would see it)");
      }
      built.staged.install();
      flusher.reshaper().free(leaf);
      MessageBuffer[] buffers = new MessageBuffer[built.children.length];
      for (int i = 0; i < buffers.length; i++) {
        buffers[i] = new MessageBuffer();
      }
      r.setInternal(built.height, built.pivots, built.children, buffers);
      r.maxMsn = Math.max(r.maxMsn, built.msn);
      r.markDirty();
      LongAdder rows = ctx.rows(root);
      rows.reset();
      rows.add(built.entries);
      ctx.cache.unpinWrite(r);
      return null;
    });
  }

  /**
   * Frees every block of this tree. The caller guarantees no one else uses the tree (the database
   * holds its exclusive lock).
   */
  public void destroy() {
    flushes.cancel(); // a root flush queued before now finds its blocks freed and does nothing
    ctx.versionsByRoot.remove(root, versions);
    ctx.snapshots.unregister(versions);
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
