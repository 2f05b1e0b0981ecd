package dev.sapwood.internal.store;

import java.util.Arrays;
import java.util.Map;

/**
 * Picks the blocks {@link BlockFile#relocateTail} moves: every mapped block, highest offset first,
 * but only when at least a quarter of the used space is free (otherwise moving blocks costs more
 * I/O than the space it could give back). A file that never shrinks is a bug (a lesson of LSM engines whose files only grow).
 */
final class TailRelocator {
  private TailRelocator() {}

  /**
   * (block number, offset, extent length) of the blocks worth moving, highest offset first; empty
   * when too little space is free.
   *
   * @param freeBytes bytes in the allocator's free extents
   * @param end first byte past all allocated and free space
   */
  static long[][] candidates(BlockTable table, long freeBytes, long end) {
    long used = end - BlockFileFormat.DATA_START;
    if (used <= 0 || freeBytes * 4 < used) {
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
}
