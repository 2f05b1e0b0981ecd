package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.ArrayPool;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Arena blocks ({@link ArenaBlocks#BLOCK} bytes) given back by message buffers that let their
 * records go, lent again to buffers that need a block: a flush copies a buffer's records into its
 * child's buffers and then empties it, so the blocks the children take are about as many as the
 * parent then gives back, and a block a flush frees is the next flush's, not the collector's
 * (docs/design.md, "Arena blocks reused").
 *
 * <p>Bounded: at most {@link #limitBlocks} blocks are kept, process-wide (2 MiB, up to 8 MiB for a
 * large heap cache: {@link #allowFor}); a block given back to a full pool is dropped. A kept
 * block belongs to no buffer: whoever gives one back must hold no reference to it (the buffer's
 * owner gives its blocks back only under the node's write latch, when the records in them are
 * copied out or dropped), and its bytes are undefined for the next owner, which writes every
 * record before reading it. With assertions on (the tests), every
 * array given back (a block, or a head of another size that is then dropped) is filled with
 * {@link #POISON}, so a reader that kept one reads garbage and fails, instead of reading a previous
 * buffer's records by luck; and a kept block is checked to be all poison when it is lent again, so
 * a writer that kept one fails the assertion there.
 *
 * <p>Invariants: {@code count <= limit <= MAX_BLOCKS}; {@code kept[0, count)} are distinct blocks of
 * exactly {@link ArenaBlocks#BLOCK} bytes owned by nobody; guarded by the pool's monitor.
 */
final class BlockPool {
  /** The least bound on the blocks kept: 2 MiB, a few flushes' worth of one default node's buffers. */
  static final int MIN_BLOCKS = 128;
  /** The largest bound: 8 MiB, for a heap cache of 64 MiB or more ({@link #allowFor}). */
  static final int MAX_BLOCKS = 512;
  /** The pool may keep a heap cache's budget divided by this (an eighth), within the two bounds above. */
  static final int BUDGET_SHARE = 8;
  /** What a block given back is filled with, with assertions on. */
  static final byte POISON = (byte) 0x5A;

  private static final boolean POISONING = BlockPool.class.desiredAssertionStatus();
  private static final byte[][] kept = new byte[MAX_BLOCKS][];
  private static int count;
  /** The blocks kept at most now: {@link #MIN_BLOCKS} raised by {@link #allowFor}; guarded by {@code kept}. */
  private static int limit = MIN_BLOCKS;
  private static final LongAdder reused = new LongAdder();
  private static final LongAdder allocated = new LongAdder();
  private static final LongAdder given = new LongAdder();
  private static final LongAdder dropped = new LongAdder();

  private BlockPool() {}

  /** A block of {@link ArenaBlocks#BLOCK} bytes, contents undefined: a kept one, else a new one. */
  static byte[] take() {
    synchronized (kept) {
      if (count > 0) {
        byte[] b = kept[--count];
        kept[count] = null;
        reused.increment();
        assert stillPoisoned(b) : "a block was written after it was given back to the pool";
        return b;
      }
    }
    allocated.increment();
    return new byte[ArenaBlocks.BLOCK];
  }

  /**
   * Gives {@code b} back: the caller and everything it reached the block through hold no
   * reference to it any more. Anything but a block's size is left to the collector.
   */
  static void give(byte[] b) {
    if (b == null) {
      return;
    }
    if (POISONING) {
      Arrays.fill(b, POISON); // kept or dropped: whoever still reads it reads garbage from now on
    }
    if (b.length != ArenaBlocks.BLOCK) {
      return;
    }
    given.increment();
    synchronized (kept) {
      if (count < limit) {
        assert !holds(b) : "a block given back twice";
        kept[count++] = b;
        return;
      }
    }
    dropped.increment();
  }

  /**
   * Lets the pool keep up to an eighth of a heap cache of {@code heapBudget} bytes, between {@link
   * #MIN_BLOCKS} and {@link #MAX_BLOCKS} blocks (a database calls this as it opens; the bound is the
   * largest asked for while the process runs, so at most 8 MiB). A 20M-key overwrite with a 64 MiB
   * heap cache gave back 440 K blocks to the full 2 MiB pool and allocated 1.3 M; with 8 MiB, 32 K
   * and 0.9 M, and 14% less of the collector's CPU per put (docs/benchmarks.md). The kept blocks
   * are counted against a large cache's budget ({@code NodeStore.pooledBytes}).
   */
  static void allowFor(long heapBudget) {
    long blocks = Math.min(MAX_BLOCKS, heapBudget / BUDGET_SHARE / ArenaBlocks.BLOCK);
    synchronized (kept) {
      limit = (int) Math.max(limit, blocks);
    }
  }

  /** The blocks the pool keeps at most now. */
  static int limitBlocks() {
    synchronized (kept) {
      return limit;
    }
  }

  private static boolean stillPoisoned(byte[] b) {
    return ArrayPool.filledWith(b, POISON);
  }

  private static boolean holds(byte[] b) {
    for (int i = 0; i < count; i++) {
      if (kept[i] == b) {
        return true;
      }
    }
    return false;
  }

  /** Bytes of the blocks kept now (process-wide: the pool is shared by every open database). */
  static long heldBytes() {
    synchronized (kept) {
      return (long) count * ArenaBlocks.BLOCK;
    }
  }

  /** Blocks lent again instead of allocated, since the process started. */
  static long reusedBlocks() {
    return reused.sum();
  }

  /** Blocks allocated because none was kept, since the process started. */
  static long allocatedBlocks() {
    return allocated.sum();
  }

  /** Blocks given back, kept or not, since the process started. */
  static long givenBlocks() {
    return given.sum();
  }

  /** Blocks given back to a full pool (left to the collector), since the process started. */
  static long droppedBlocks() {
    return dropped.sum();
  }
}
