package dev.sapwood.internal.tree;

import java.util.Arrays;

/**
 * Where a {@link MessageArena}'s records are kept: positions in a virtual space made of a
 * <em>head</em> array (positions {@code [0, head.length)}) and, past it, a <em>tail</em> of blocks
 * of {@link #BLOCK} bytes each (block k holds positions {@code head.length + k * BLOCK} on). A
 * small buffer is its head alone, grown by copying up to {@link #BLOCK} bytes; a larger one gains
 * tail blocks, so a long-lived arena (an internal node's buffer taking flush after flush) never
 * copies what it holds and never leaves its old array behind as garbage of the old generation.
 * A record never spans two arrays: one that does not fit the rest of the current block starts the
 * next block, and the bytes skipped are counted as gaps; a record larger than a block gets an
 * array of its own size, which takes as many block slots as it covers (the first slot holds it).
 * A record is read through {@link #arena(int)} (its array) at {@link #at(int)} in it.
 *
 * <p>Invariants: {@code [0, used)} is whole records, live or dead (dead ones counted in {@code
 * dead}), with skipped bytes (counted in {@code gaps}) between them; the tail is empty while the
 * head may still grow; every block slot below {@code blockCount} is allocated or covered by an
 * oversized record; {@code used} lies in the head, inside an allocated normal block, or at a
 * slot's start (an oversized record's slots are never written after it). Not thread-safe: guarded
 * by the owning node's latch.
 */
abstract sealed class ArenaBlocks permits MessageArena {
  /** log2 of {@link #BLOCK}. */
  static final int BLOCK_SHIFT = 14;
  /** Bytes of one tail block, and the size up to which the head grows by copying. */
  static final int BLOCK = 1 << BLOCK_SHIFT;
  private static final int MASK = BLOCK - 1;
  private static final byte[][] NO_BLOCKS = new byte[0][];

  private byte[] head;
  /** {@code head.length}, kept beside it: every record access compares against it. */
  private int headLen;
  private byte[][] blocks = NO_BLOCKS;
  /** Block slots in use: every slot below is allocated or covered by an oversized record. */
  private int blockCount;
  private int used;
  /** Bytes of dead records in {@code [0, used)}. */
  private int dead;
  /** Bytes skipped at the ends of the head and of blocks in {@code [0, used)}. */
  private int gaps;
  /** Bytes of the head and the tail's arrays. */
  private long capacity;
  /**
   * The stamp of the last node image (a node write or read, {@link PartitionStamps}) that held
   * these records unchanged; every change of the records sets it back to 0.
   */
  long diskStamp;

  /** An empty arena whose head holds {@code capacity} bytes (a whole block: one from the {@link BlockPool}). */
  ArenaBlocks(int capacity) {
    setHead(capacity == BLOCK ? BlockPool.take() : new byte[Math.max(16, capacity)]);
  }

  /**
   * An arena over {@code records}, which the caller hands over (it keeps no reference) and which
   * holds whole records back to back in {@code [0, records.length)}: the node reader's decompressed
   * frames, so a fetched buffer is not copied once more. Until the owner has put every record in
   * a list the invariant above does not hold; the reader discards the buffer if parsing fails.
   */
  ArenaBlocks(byte[] records) {
    this(records, records.length);
  }

  /** As {@link #ArenaBlocks(byte[])}, the records being {@code records[0, used)} (the rest is room). */
  ArenaBlocks(byte[] records, int used) {
    setHead(records);
    this.used = used;
  }

  private void setHead(byte[] a) {
    head = a;
    headLen = a.length;
    blocks = NO_BLOCKS;
    blockCount = 0;
    capacity = a.length;
  }

  /** The array holding record {@code rec}; the record's bytes start at {@link #at}{@code (rec)} in it. */
  final byte[] arena(int rec) {
    return rec < headLen ? head : blocks[(rec - headLen) >>> BLOCK_SHIFT];
  }

  /** Where record {@code rec} starts in {@link #arena(int)}{@code (rec)}. */
  final int at(int rec) {
    return rec < headLen ? rec : (rec - headLen) & MASK;
  }

  /** Bytes of live message records held. */
  final int bytes() {
    return used - dead - gaps;
  }

  /** Bytes of dead records still in the arena (a compaction drops them). */
  final int deadBytes() {
    return dead;
  }

  /** Bytes of the arrays holding the records (the head, the tail's blocks and their slots). */
  final long capacity() {
    return capacity + (blocks.length == 0 ? 0 : 16L + 4L * blocks.length);
  }

  /** Whether the tail has blocks (tests: the arena grew past its head). */
  final boolean hasTail() {
    return blockCount > 0;
  }

  /** Whether {@code more} bytes would take new storage while half of the records held are dead. */
  final boolean wastefulFor(int more) {
    return dead > 0 && (long) used + more > end() && dead >= (used - gaps) / 2;
  }

  /** The end of the positions with storage behind them. */
  private long end() {
    return blockCount == 0 ? headLen : headLen + ((long) blockCount << BLOCK_SHIFT);
  }

  /**
   * Forgets every record; a large arena is dropped for a small one, its blocks given back to the
   * {@link BlockPool} (the caller holds the owner's write latch and keeps no record of them).
   */
  final void clearArena() {
    diskStamp = 0;
    if (capacity > 4096) {
      giveBack();
      setHead(new byte[64]);
    }
    used = 0;
    dead = 0;
    gaps = 0;
  }

  /**
   * Marks record {@code rec} of {@code size} bytes dead (the caller has taken it out of its list):
   * the last record of the arena is cut off, any other is counted in {@link #deadBytes()} until a
   * compaction.
   */
  final void markDead(int rec, int size) {
    diskStamp = 0;
    if (rec + size == used) {
      used = rec;
    } else {
      dead += size;
    }
  }

  /** Installs a compacted arena holding {@code used} bytes of live records and no dead ones. */
  final void replaceArena(byte[] a, int usedBytes) {
    diskStamp = 0;
    giveBack();
    setHead(a);
    used = usedBytes;
    dead = 0;
    gaps = 0;
  }

  /** Copies {@code size} bytes of {@code src[off..)} (one whole record) to the end of the arena. */
  final int appendRecord(byte[] src, int off, int size) {
    int rec = reserve(size);
    System.arraycopy(src, off, arena(rec), at(rec), size);
    return rec;
  }

  /**
   * Makes room for {@code bytes} more at once where that is one copy of a small head (a batch add
   * grows a small arena once); a tail gains its blocks as records come, without copying.
   */
  final void reserveCapacity(int bytes) {
    long want = (long) used + bytes;
    if (blockCount == 0 && want > headLen && want <= BLOCK) {
      growHead((int) want);
    }
  }

  /**
   * Grows a head that is short of {@code size} more bytes straight to a whole block once it would
   * hold more than a sixteenth of one: the arena has shown it takes more than a few records, and a
   * root's buffer takes many blocks between two flushes, so doubling the rest of the way would only
   * copy (under the root's latch). A small arena (a tree written a few times) grows by doubling as
   * before, so it never holds a block for a few small records. Nothing changes once the arena has a
   * tail, or if the record would not fit a block.
   */
  final void reserveBlockHead(int size) {
    long want = (long) used + size;
    if (blockCount == 0 && want > headLen && want <= BLOCK && want > BLOCK / 16) {
      growHead(BLOCK);
    }
  }

  private void growHead(int need) {
    int len = (int) Math.min(BLOCK, Math.max(need, Math.max(64L, 2L * headLen)));
    if (len > headLen) {
      byte[] a;
      if (len == BLOCK) {
        a = BlockPool.take();
        System.arraycopy(head, 0, a, 0, used);
      } else {
        a = Arrays.copyOf(head, len);
      }
      capacity += len - headLen;
      head = a;
      headLen = len;
    }
  }

  /** Takes {@code size} bytes at the end for one record; returns its position. */
  final int reserve(int size) {
    diskStamp = 0;
    if (blockCount == 0 && (long) used + size <= BLOCK) {
      if (used + size > headLen) {
        growHead(used + size);
      }
      return take(used, size);
    }
    if (used < headLen) {
      if (size <= headLen - used) {
        return take(used, size);
      }
      skipTo(headLen);
    }
    int local = (used - headLen) & MASK;
    if (local != 0) {
      if (size <= BLOCK - local) {
        return take(used, size);
      }
      skipTo(used + BLOCK - local);
    }
    if ((long) used + size > Integer.MAX_VALUE - BLOCK) {
      throw new IllegalStateException("a message buffer past 2 GiB");
    }
    int k = (used - headLen) >>> BLOCK_SHIFT;
    if (k < blockCount && (size > BLOCK || blocks[k] == null || blocks[k].length != BLOCK)) {
      dropBlocksFrom(k); // past the end after a cut-off: an oversized record's slots, or room for one
    }
    if (size <= BLOCK) {
      if (k == blockCount) {
        addBlocks(BlockPool.take(), 1);
      }
      return take(used, size);
    }
    // An oversized record: an array of its own, over as many slots as it covers; the rest of its
    // last slot is skipped so the next record starts a block.
    int span = (size + MASK) >>> BLOCK_SHIFT;
    addBlocks(new byte[size], span);
    int rec = used;
    used = rec + size;
    skipTo(rec + (span << BLOCK_SHIFT));
    return rec;
  }

  private int take(int at, int size) {
    used = at + size;
    return at;
  }

  /** Moves the end to {@code to}, counting the bytes passed over as gaps. */
  private void skipTo(int to) {
    gaps += to - used;
    used = to;
  }

  private void addBlocks(byte[] a, int span) {
    if (blockCount + span > blocks.length) {
      blocks = Arrays.copyOf(blocks, Math.max(blockCount + span, Math.max(4, blocks.length * 2)));
    }
    blocks[blockCount] = a;
    blockCount += span;
    capacity += a.length;
  }

  /**
   * Gives the head and the tail's blocks back to the {@link BlockPool} (those of a block's size:
   * the pool's own, or arrays nobody else holds, as an arena's arrays are), before the arena drops
   * them for others.
   */
  private void giveBack() {
    BlockPool.give(head);
    for (int i = 0; i < blockCount; i++) {
      BlockPool.give(blocks[i]);
    }
  }

  /** Forgets the blocks from slot {@code k} on (normal blocks left past the end by a cut-off record). */
  private void dropBlocksFrom(int k) {
    for (int i = k; i < blockCount; i++) {
      if (blocks[i] != null) {
        capacity -= blocks[i].length;
        BlockPool.give(blocks[i]);
        blocks[i] = null;
      }
    }
    blockCount = k;
  }
}
