package dev.sapwood.internal.tree;

import dev.sapwood.internal.events.FlushEvent;
import dev.sapwood.internal.events.WriteStallEvent;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Flushes of one {@link BeTree}'s gorged root: handed to a background flush when one can take it,
 * else run by the writer itself (back-pressure: slowed, never stopped dead).
 *
 * <p>Invariants: at most one background root flush of this tree is queued at a time; a queued
 * flush re-checks that the root is still gorged under its write latch, and does nothing once the
 * tree was destroyed.
 *
 * <p>Locking: each flush write-latches the root itself, so its callers hold no root latch.
 * Thread-safe.
 */
final class RootFlushes {
  private final TreeContext ctx;
  private final long root;
  private final Flusher flusher;
  private final AtomicBoolean flushQueued = new AtomicBoolean();
  /** Set by {@link #cancel}: a root flush queued before then finds its blocks freed and does nothing. */
  private volatile boolean destroyed;

  RootFlushes(TreeContext ctx, long root) {
    this.ctx = ctx;
    this.root = root;
    this.flusher = ctx.flusher;
  }

  /**
   * Whether gorged root {@code r}, still write-latched by the caller, must be flushed by the
   * writer ({@link #flushAsWriter}) once it lets the latch go: it holds more than twice the node
   * size, or no background flush is queued and none could be.
   */
  boolean writerMustFlush(Node r) {
    return !(r.bufferBytes() <= 2L * ctx.nodeSize && (flushQueued.get() || queueFlush()));
  }

  /**
   * Flushes the root if it is gorged: a writer's back-pressure after {@link BeTree#releaseRoot}.
   * REQUIRES: the calling thread holds no root latch.
   */
  void flushAsWriter() {
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

  /** Makes every root flush queued from now on, or still waiting in the queue, do nothing. */
  void cancel() {
    destroyed = true;
  }

  /**
   * Queues a background flush of the root unless one is queued already; returns whether one is
   * queued now (false: the background queue refused it).
   */
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
        FlushEvent flush = FlushEvent.start(FlushEvent.BACKGROUND, r.key(), r.height, r.bufferBytes());
        long started = System.nanoTime();
        flusher.flushFromRoot(r);
        ctx.counters.backgroundFlushTimes(started - queued, System.nanoTime() - started);
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
}
