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
 * <p>Bounded: at most {@link #MAX_BLOCKS} blocks (2 MiB) are kept, process-wide; a block given
 * back to a full pool is dropped. A kept block belongs to no buffer: whoever gives one back must
 * hold no reference to it (the buffer's owner gives its blocks back only under the node's write
 * latch, when the records in them are copied out or dropped), and its bytes are undefined for the
 * next owner, which writes every record before reading it. With assertions on (the tests), every
 * array given back (a block, or a head of another size that is then dropped) is filled with
 * {@link #POISON}, so a reader that kept one reads garbage and fails, instead of reading a previous
 * buffer's records by luck; and a kept block is checked to be all poison when it is lent again, so
 * a writer that kept one fails the assertion there.
 *
 * <p>Invariants: {@code count <= MAX_BLOCKS}; {@code kept[0, count)} are distinct blocks of
 * exactly {@link ArenaBlocks#BLOCK} bytes owned by nobody; guarded by the pool's monitor.
 */
final class BlockPool {
  /** The most blocks kept: 2 MiB, a few flushes' worth of one default node's buffers. */
  static final int MAX_BLOCKS = 128;
  /** What a block given back is filled with, with assertions on. */
  static final byte POISON = (byte) 0x5A;

  private static final boolean POISONING = BlockPool.class.desiredAssertionStatus();
  private static final byte[][] kept = new byte[MAX_BLOCKS][];
  private static int count;
  private static final LongAdder reused = new LongAdder();

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
    synchronized (kept) {
      if (count < MAX_BLOCKS) {
        assert !holds(b) : "a block given back twice";
        kept[count++] = b;
      }
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
}
