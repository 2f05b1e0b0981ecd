package dev.sapwood.internal.tree;

import dev.sapwood.SapwoodException;
import dev.sapwood.internal.stats.LockedCount;

/**
 * The write latch on one {@link BeTree}'s root and the messages inserted under it: a writer
 * latches the root, inserts one or more messages with MSNs it took with the latch held, and lets
 * the latch go, learning whether it must then flush the gorged root itself.
 *
 * <p>Invariants: {@link #latched} is the root while one thread holds its write latch through
 * {@link #latch}, else null; a message enters with an MSN above every MSN already in the tree, so a
 * key's messages enter the tree, and reach its leaf, in MSN order; a root released by its
 * growth ({@link #grown}) is counted by the cache at exactly its memory, as a walk would count it
 * (asserted at each such release).
 *
 * <p>Counting: the messages inserted and their bytes ({@code tree.messages}, {@code
 * tree.message_bytes}) are this tree's parts of those sums ({@link LockedCount}), added under the
 * root latch with plain stores, read by the stats and the cleaner's budget without it.
 *
 * <p>Locking: {@link #latched}, {@link #grown}, {@link #remeasure}, {@link #messages} and
 * {@link #messageBytes} are guarded by the root's write latch. Thread-safe.
 */
final class RootLatch {
  static final byte[] EMPTY = new byte[0];
  private final TreeContext ctx;
  private final long root;
  private final RootFlushes flushes;
  /** Puts at the right edge straight into the rightmost leaf (TokuFT's sequential-insert heuristic). */
  private final RightEdge edge;
  /** The root pinned by {@link #latch} until {@link #release}; guarded by its latch. */
  private Node latched;
  /**
   * The heap bytes the latched root's buffers grew by under this latch, measured buffer by buffer
   * around each point insert, given to the cache at {@link #release} instead of a walk over every
   * partition ({@link dev.sapwood.internal.cache.CacheTable#unpinWriteGrown}); guarded by its latch.
   */
  private long grown;
  /**
   * Whether the latched root changed beyond {@link #grown} (partitions loaded or a checkpoint's
   * write when latched, a range message, a put the right edge took), so the release measures it
   * whole as before; guarded by its latch.
   */
  private boolean remeasure;
  /** This tree's part of {@code tree.messages}; guarded by the root's latch. */
  private final LockedCount messages;
  /** This tree's part of {@code tree.message_bytes}; guarded by the root's latch. */
  private final LockedCount messageBytes;
  /** {@link #latch}'s step, made once: a capturing lambda made per latch was an object per put. */
  private final java.util.function.Supplier<Node> pinAndPrepare = this::pinAndPrepare;
  /** {@link #release}'s step, made once for the same reason. */
  private final java.util.function.Supplier<Boolean> unpinAndCheck = this::unpinAndCheck;

  RootLatch(TreeContext ctx, long root, Versions versions, RootFlushes flushes) {
    this.ctx = ctx;
    this.root = root;
    this.flushes = flushes;
    this.edge = new RightEdge(ctx, versions);
    this.messages = ctx.counters.registry.locked(TreeCounters.MESSAGES);
    this.messageBytes = ctx.counters.registry.locked(TreeCounters.MESSAGE_BYTES);
  }

  /** Folds this tree's counts into the database's sums, for good (the tree is destroyed; no one inserts). */
  void retireCounts() {
    ctx.counters.registry.retire(TreeCounters.MESSAGES, messages);
    ctx.counters.registry.retire(TreeCounters.MESSAGE_BYTES, messageBytes);
  }

  /**
   * Write-latches the root for {@link #insert} calls, until {@link #release}. Readers of this tree
   * wait meanwhile, so they see all or none of what is inserted under one latch.
   *
   * <p>REQUIRES: the calling thread holds no other root latch of a tree with a larger tree id
   * (roots are latched in ascending tree id, so two writers of the same trees cannot deadlock).
   */
  void latch() {
    latched = ctx.guarded(pinAndPrepare);
  }

  private Node pinAndPrepare() {
    Node r = ctx.pinRootWrite(root);
    grown = 0;
    remeasure = r.pendingCheckpoint || !r.loadedWhole();
    ctx.partitions.prepareChange(r);
    return r;
  }

  /**
   * Inserts one message with {@code msn} into the latched root's buffers, or, for a put above
   * everything at the tree's right edge with nothing buffered above it, straight into the
   * rightmost leaf ({@link RightEdge}, TokuFT's sequential-insert heuristic).
   *
   * <p>REQUIRES: the root is latched by this thread ({@link #latch}); {@code msn} is larger than
   * every MSN already in the tree (the caller takes MSNs in one critical section with the latch
   * held, so a key's messages enter, and therefore apply, in MSN order).
   */
  void insert(byte type, byte[] key, byte[] value, byte[] fn, long msn) {
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
    messages.increment();
    messageBytes.add(MessageArena.HEADER + key.length + 4 + v.length);
    r.maxMsn = msn;
    r.markDirty();
    if (MessageType.isRange(type)) {
      remeasure = true;
      for (int i = 0; i < r.n; i++) {
        if (RangeUpdates.overlaps(type, key, v, r.lowerBound(i), r.upperBound(i))) {
          r.buffers[i].add(type, msn, key, 0, key.length, v, 0, v.length, fn);
        }
      }
    } else if (type == MessageType.PUT && edge.tryPromote(r, key, v, msn)) {
      remeasure = true;
    } else {
      MessageBuffer b = r.buffers[r.partitionFor(key)];
      long before = b.memoryBytes();
      b.add(type, msn, key, 0, key.length, v, 0, v.length, fn, ctx.combiner);
      grown += b.memoryBytes() - before;
    }
  }

  /**
   * Lets the latched root go without flushing it; returns true if this writer must then flush it
   * itself ({@link RootFlushes#flushAsWriter}, once it holds no root latch): it is gorged, and past
   * twice its size or no background flush could take it.
   */
  boolean release() {
    return ctx.guarded(unpinAndCheck);
  }

  private boolean unpinAndCheck() {
    Node r = latched;
    latched = null;
    edge.beforeRelease();
    boolean mustFlush = ctx.shape.gorged(r) && flushes.writerMustFlush(r);
    if (remeasure) {
      ctx.cache.unpinWrite(r);
    } else {
      assert ctx.cache.accountedBytes(r) + grown == r.memoryBytes() : "root " + r.key() + " accounted at "
          + ctx.cache.accountedBytes(r) + " + " + grown + " grown, measured at " + r.memoryBytes();
      ctx.cache.unpinWriteGrown(r, grown);
    }
    return mustFlush;
  }

  /**
   * Releases every latch and pin the calling thread holds, after a failure between {@link #latch}
   * and {@link #release} (of this or any other tree). The database fails the write path then:
   * what was inserted stays in memory but is never checkpointed.
   */
  void abandon() {
    Node r = latched;
    if (r != null && r.isWriteLatchedByCurrentThread()) {
      latched = null;
      edge.forget();
    }
    ctx.cache.releaseHeld();
  }
}
