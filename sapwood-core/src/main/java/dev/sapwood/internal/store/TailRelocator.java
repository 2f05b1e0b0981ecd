package dev.sapwood.internal.store;

import dev.sapwood.internal.util.ArrayPool;
import java.util.Arrays;
import java.util.Map;

/**
 * Moves blocks from the end of a {@link BlockFile} into free space below them ({@link
 * BlockFile#relocateTail}), so the file's tail can be truncated: every mapped block is a
 * candidate, highest offset first, but only when at least a quarter of the used space is free
 * (otherwise moving blocks costs more I/O than the space it could give back). A file
 * that never shrinks is a bug. When every block is tried ({@link BlockFile#relocateAll}) and some
 * past where a compact file would end fit no hole below, the blocks between holes lying close
 * together are moved out of the way ({@link HoleMerger}), so that the next relocation finds
 * holes they fit.
 *
 * <p>Invariants: the candidates are chosen under the lock but moved one by one later, so each move
 * re-checks under the lock that the block still lives where it was chosen and that the space it
 * gets lies below it, and installs its copy only if no write or free of the block began meanwhile
 * ({@code relocationOvertaken}, set by {@link BlockWriter} and {@link BlockFile#freeBlockNumber})
 * and the entry is still the one it read; otherwise the copy's extent is released and the block
 * stays where it is. A move is counted in {@code writesInFlight} like a write, so no checkpoint
 * begins while it is in flight.
 */
final class TailRelocator {
  // Indexes into BlockFileState.relocation: what became of the blocks a relocation tried.
  /** Moved and installed. */
  static final int MOVED = 0;
  /** Left: the block changed since it was chosen, or a write was in flight. */
  static final int BUSY = 1;
  /** Copied, then dropped: a write or free of the block began during the copy. */
  static final int OVERTAKEN = 2;
  /** Nothing below the block fit it. */
  static final int NO_ROOM = 3;
  /** Moved out of the way so that the holes around it merge ({@link HoleMerger}). */
  static final int MERGED = 4;

  /**
   * The copies in flight, lent for one move and given back after its write returned (the
   * {@code FileIo} write copies): one move per relocation at a time, so one array is kept, at most
   * a node's image. Before, each move read into a fresh array of the block's size — in the
   * overwrite, a few hundred bytes per put (docs/benchmarks.md, "Allocation per put").
   */
  private static final ArrayPool COPIES = new ArrayPool(64 << 10, 2 << 20, 1, 2 << 20);

  private final BlockFileState s;
  private final BlockReads reads;

  /** Arrays the moves' copies had to make (tests: the kept one is lent again). */
  static long copiesMade() {
    return COPIES.freshArrays();
  }

  TailRelocator(BlockFileState s, BlockReads reads) {
    this.s = s;
    this.reads = reads;
  }

  /** {@link BlockFile#relocateTail}; {@code always}: {@link BlockFile#relocateAll}. */
  long relocateTail(long maxBytes, boolean always) {
    s.checkOpen();
    long moved = 0;
    long[][] candidates;
    long compactEnd; // where the file would end with every free byte given back
    s.lock.lock();
    try {
      long free = s.extents.freeBytesLocked();
      candidates = candidates(s.table, free, s.extents.endLocked(), always);
      compactEnd = s.extents.endLocked() - free;
    } finally {
      s.lock.unlock();
    }
    long stuck = 0; // the largest block past compactEnd that no hole below fitted
    long stuckLeast = Long.MAX_VALUE; // and the smallest
    for (long[] candidate : candidates) {
      if (moved >= maxBytes) {
        break;
      }
      int m = relocate(candidate[0], candidate[1], candidate[2], null);
      if (m < 0 && !always) {
        break;
      }
      if (m < 0 && candidate[1] + candidate[2] > compactEnd) {
        stuck = Math.max(stuck, candidate[2]);
        stuckLeast = Math.min(stuckLeast, candidate[2]);
      }
      moved += Math.max(m, 0);
    }
    if (always && stuck > 0 && moved < maxBytes) {
      moved += mergeHoles(stuck, stuckLeast, maxBytes - moved);
    }
    return moved;
  }

  /**
   * Moves the blocks {@link HoleMerger} plans out of the way, so that holes merge into ones of at
   * least {@code need} bytes (freed two checkpoints on, for the next relocation to fill), or if no
   * window is that long and half free, of {@code least} bytes; moves at most about {@code budget}
   * bytes. Each block goes to the lowest hole outside the windows being
   * emptied, or to the end of the file if none fits it. Returns the bytes moved.
   */
  private long mergeHoles(long need, long least, long budget) {
    HoleMerger.Plan plan;
    s.lock.lock();
    try {
      long[][] blocks = new long[s.table.size()][];
      int i = 0;
      for (Map.Entry<Long, BlockTable.Entry> e : s.table.sorted().entrySet()) {
        blocks[i++] = new long[] {e.getKey(), e.getValue().offset(), e.getValue().extentLength()};
      }
      java.util.TreeMap<Long, Long> free = s.extents.freeExtentsLocked();
      plan = HoleMerger.plan(blocks, free, need, budget);
      if (plan.blocks().length == 0 && least < need) {
        plan = HoleMerger.plan(blocks, free, least, budget);
      }
    } finally {
      s.lock.unlock();
    }
    long moved = 0;
    for (long[] b : plan.blocks()) {
      moved += Math.max(0, relocate(b[0], b[1], b[2], plan.windows()));
    }
    return moved;
  }

  /**
   * (block number, offset, extent length) of the blocks worth moving, highest offset first; empty
   * when too little space is free (unless {@code always}).
   *
   * @param freeBytes bytes in the allocator's free extents
   * @param end first byte past all allocated and free space
   * @param always whatever is free (an explicit compaction)
   */
  static long[][] candidates(BlockTable table, long freeBytes, long end, boolean always) {
    long used = end - BlockFileFormat.DATA_START;
    if (used <= 0 || (!always && freeBytes * 4 < used)) {
      return new long[0][];
    }
    long[][] out = new long[table.size()][];
    int i = 0;
    for (Map.Entry<Long, BlockTable.Entry> e : table.sorted().entrySet()) {
      out[i++] = new long[] {e.getKey(), e.getValue().offset(), e.getValue().extentLength()};
    }
    Arrays.sort(out, (a, b) -> Long.compare(b[1], a[1]));
    return out;
  }

  /**
   * Moves one block from {@code offset}: with {@code windows} null, to the first fit below it;
   * else to the lowest fit outside the windows, or the end of the file. Returns the bytes moved, 0
   * if the block changed meanwhile (left alone), -1 if nothing below it fits (the relocation stops).
   */
  private int relocate(long blockNumber, long offset, long length, long[][] windows) {
    BlockTable.Entry seen;
    s.lock.lock();
    try {
      seen = s.table.get(blockNumber);
      if (seen == null || seen.offset() != offset) {
        return 0;
      }
      if (windows == null) {
        long fit = s.extents.firstFitLocked(length);
        if (fit < 0 || fit >= offset) {
          s.relocation[NO_ROOM]++;
          return -1;
        }
      }
    } finally {
      s.lock.unlock();
    }
    byte[] bytes = COPIES.take(seen.size());
    try {
      return copy(blockNumber, seen, bytes, offset, length, windows);
    } finally {
      COPIES.give(bytes); // the file write returned (or failed): nothing holds the copy
    }
  }

  private int copy(long blockNumber, BlockTable.Entry seen, byte[] bytes, long offset, long length, long[][] windows) {
    int size = reads.readExtent(blockNumber, seen, bytes);
    s.file.checkWritable();
    long at;
    s.lock.lock();
    try {
      if (s.table.get(blockNumber) != seen || s.writesInFlight > 0) {
        s.relocation[BUSY]++;
        return 0;
      }
      if (windows != null) {
        at = s.extents.firstFitOutsideLocked(length, windows, s.extents.endLocked());
        if (at >= 0) {
          s.extents.allocateAtLocked(at, length);
        } else {
          at = s.extents.allocateAtEndLocked(length);
        }
      } else {
        at = s.extents.allocateLocked(length);
      }
      if (windows == null && at >= offset) {
        s.extents.retireLocked(at, length, false, 0);
        s.relocation[NO_ROOM]++;
        return -1;
      }
      s.writesInFlight++;
      s.relocating = blockNumber;
      s.relocationOvertaken = false;
    } finally {
      s.lock.unlock();
    }
    boolean installed = false;
    try {
      s.file.write(at, bytes, 0, size);
      s.lock.lock();
      try {
        if (!s.relocationOvertaken && s.table.get(blockNumber) == seen) {
          s.installLocked(blockNumber, seen, new BlockTable.Entry(at, seen.size(), false));
          installed = true;
        }
      } finally {
        s.lock.unlock();
      }
    } finally {
      s.lock.lock();
      try {
        s.relocating = 0;
        s.relocation[installed ? (windows != null ? MERGED : MOVED) : OVERTAKEN]++;
        s.endWriteLocked(at, length, installed);
      } finally {
        s.lock.unlock();
      }
    }
    return installed ? size : 0;
  }
}
