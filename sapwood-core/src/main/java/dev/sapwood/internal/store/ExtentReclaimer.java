package dev.sapwood.internal.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides when the space of an extent that left the block table may be reused, and owns the
 * {@link SpaceAllocator}. An extent goes through: in use → (if a checkpoint image may refer to it)
 * deferred while a header slot may describe a checkpoint that refers to it → (if any read is in
 * flight) limbo until no read is → free.
 *
 * <p>Why two checkpoints: opening falls back to the older header slot when the newer one is
 * damaged, so everything the older slot's checkpoint refers to must stay intact (neither reused
 * nor truncated) until a newer checkpoint overwrites that slot. An extent the latest checkpoint N
 * refers to is therefore released when checkpoint N + 2 completes; an extent retired while
 * checkpoint N + 1 is in progress (its image may refer to it too) when N + 3 completes.
 *
 * <p>Why limbo: a reader looks up a block's extent and then reads it without holding the lock; if
 * the block is rewritten meanwhile, its old extent must not be handed out and overwritten under
 * the reader. Readers count themselves in {@code readsInFlight} before the lookup, so an extent
 * released while the count is zero cannot be in any reader's hands.
 *
 * <p>Invariants: (1) an extent is in at most one of deferred, limbo and the allocator's free map;
 * (2) nothing in deferred is released before {@link #checkpointCompletedLocked}; (3) limbo is only
 * drained when {@code readsInFlight} is zero, so no extent in the free map is in a reader's hands
 * and the free tail can be truncated while reads run; (4) the end {@link
 * #checkpointCompletedLocked} returns is acted on (the file truncated to it) before the lock is
 * let go: once the end is lowered, the next allocation past the free map lands at it. A reader
 * that counts itself in after {@code readsInFlight} was read as zero looks its extent up
 * afterwards (without the lock, but with volatile loads, {@link BlockIndex}, which come after the
 * writer's volatile store of the new mapping, since that preceded its read of the count), so it
 * finds the new mapping, never the released extent; (5) while a hold
 * is taken ({@link #holdLocked}), nothing leaves deferred: every extent a completed checkpoint
 * refers to stays intact until the hold is let go, however many checkpoints complete meanwhile (a
 * {@link CheckpointCopy} reads them). Methods ending in {@code Locked} require the owning
 * {@link BlockFile}'s lock; {@link #enterRead} and {@link #leaveRead} do not.
 */
final class ExtentReclaimer {
  private final SpaceAllocator space;
  private final AtomicInteger readsInFlight = new AtomicInteger();
  // (offset, length, release once this many checkpoints have completed)
  private final List<long[]> deferred = new ArrayList<>();
  private final List<long[]> limbo = new ArrayList<>(); // (offset, length)
  private volatile boolean limboPending;
  private int holds; // copies of a checkpoint in progress (CheckpointCopy): deferred extents stay

  ExtentReclaimer(SpaceAllocator space) {
    this.space = space;
  }

  /** Allocates an extent of {@code length} aligned bytes, draining limbo first if it can. */
  long allocateLocked(long length) {
    drainLimboLocked();
    return space.allocate(length);
  }

  /**
   * An extent left the block table: free it now, or, if {@code checkpointed} (a checkpoint image
   * up to number {@code newestImage} may refer to it), once checkpoint {@code newestImage + 2} has
   * completed — then neither header slot describes a checkpoint that refers to it.
   */
  void retireLocked(long offset, long length, boolean checkpointed, long newestImage) {
    if (checkpointed) {
      deferred.add(new long[] {offset, length, newestImage + 2});
    } else {
      releaseLocked(offset, length);
    }
  }

  /**
   * Checkpoint {@code count}'s header is durable: releases what waited for it; its own table's
   * extent waits until checkpoint {@code count + 2}. Then trims the free tail.
   *
   * @return the new end of the used space, to truncate the file to before the lock is let go
   *     (invariant 4)
   */
  long checkpointCompletedLocked(long count, long tableOffset, long tableLength) {
    deferred.add(new long[] {tableOffset, tableLength, count + 2});
    if (holds > 0) {
      return space.trimTail(); // invariant (5): a copy still reads what the deferred extents hold
    }
    deferred.removeIf(x -> {
      if (x[2] <= count) {
        releaseLocked(x[0], x[1]);
        return true;
      }
      return false;
    });
    return space.trimTail();
  }

  /**
   * Keeps every deferred extent deferred until {@link #releaseHoldLocked}: the last completed
   * checkpoint's extents are not reused or truncated however many checkpoints complete meanwhile
   * (invariant 5). Their space is released by the first checkpoint to complete after the last hold
   * is let go; until then the file grows by what is rewritten meanwhile.
   */
  void holdLocked() {
    holds++;
  }

  /** Lets go of a hold taken by {@link #holdLocked}. */
  void releaseHoldLocked() {
    if (holds <= 0) {
      throw new IllegalStateException("no hold on deferred extents to release");
    }
    holds--;
  }

  /** {@link SpaceAllocator#firstFitOutside}, draining limbo first if it can. */
  long firstFitOutsideLocked(long length, long[][] windows, long limit) {
    drainLimboLocked();
    return space.firstFitOutside(length, windows, limit);
  }

  /** {@link SpaceAllocator#allocateAt}. */
  void allocateAtLocked(long offset, long length) {
    space.allocateAt(offset, length);
  }

  /** {@link SpaceAllocator#allocateAtEnd}. */
  long allocateAtEndLocked(long length) {
    return space.allocateAtEnd(length);
  }

  /** {@link SpaceAllocator#freeExtentsCopy}, limbo drained first if it can be. */
  java.util.TreeMap<Long, Long> freeExtentsLocked() {
    drainLimboLocked();
    return space.freeExtentsCopy();
  }

  /** Where an allocation of {@code length} would land inside the free space, or -1 (at the end). */
  long firstFitLocked(long length) {
    drainLimboLocked();
    return space.firstFit(length);
  }

  /** First byte past all allocated and free space. */
  long endLocked() {
    return space.end();
  }

  /** Call before looking up an extent to read; pair with {@link #leaveRead}. */
  void enterRead() {
    readsInFlight.incrementAndGet();
  }

  /** Call when a read is done; returns true if the caller should take the lock and drain limbo. */
  boolean leaveRead() {
    return readsInFlight.decrementAndGet() == 0 && limboPending;
  }

  /** Moves limbo into the free map if no read is in flight. */
  void drainLimboLocked() {
    if (limboPending && readsInFlight.get() == 0) {
      for (long[] x : limbo) {
        space.release(x[0], x[1]);
      }
      limbo.clear();
      limboPending = false;
    }
  }

  /** Bytes waiting in deferred, waiting or limbo. */
  long pendingBytesLocked() {
    long pending = 0;
    for (long[] x : deferred) {
      pending += x[1];
    }
    for (long[] x : limbo) {
      pending += x[1];
    }
    return pending;
  }

  /**
   * Bytes the completion of checkpoint {@code count} would release: deferred extents due by then,
   * and limbo (released as soon as no read is in flight). Not counting what a hold keeps.
   */
  long releasedByLocked(long count) {
    if (holds > 0) {
      return 0;
    }
    long bytes = 0;
    for (long[] x : deferred) {
      if (x[2] <= count) {
        bytes += x[1];
      }
    }
    for (long[] x : limbo) {
      bytes += x[1];
    }
    return bytes;
  }

  /** {@link SpaceAllocator#shape} of the free map. */
  long[] freeShapeLocked() {
    return space.shape();
  }

  /** Bytes in the allocator's free map. */
  long freeBytesLocked() {
    return space.freeBytes();
  }

  private void releaseLocked(long offset, long length) {
    if (readsInFlight.get() == 0) {
      space.release(offset, length);
    } else {
      limbo.add(new long[] {offset, length});
      limboPending = true;
    }
  }
}
