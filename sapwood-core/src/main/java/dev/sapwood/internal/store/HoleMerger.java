package dev.sapwood.internal.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Plans which blocks to move out of the way so that holes lying close together become one hole a
 * block from the end of the file fits (issue 13: overwrite's space at the end). A tail relocation
 * moves blocks from the end into holes below; once every hole left is smaller than every block
 * above it, the free space stays inside the file however many rounds run (at 20M keys after an
 * overwrite: 161 MiB free of a 2,207 MiB file, the last rounds moving nothing). Blocks are never
 * slid together (a block's old place must stay intact until two checkpoints pass), so the holes
 * are merged by moving the blocks between them elsewhere: their places are freed two checkpoints
 * on, and the next round's tail relocation fills the merged hole.
 *
 * <p>A window is a run of the file that starts at a hole, is at least {@code need} bytes long
 * (the largest block the tail relocation found no room for), and holds at least as many free bytes
 * as block bytes: moving its blocks writes at most the bytes the merged hole gives back. Windows
 * are taken by their share of block bytes, lowest first, without overlapping, until the blocks to
 * move reach the budget. The blocks are moved to the lowest hole outside every window that fits
 * them ({@link SpaceAllocator#firstFitOutside}); small blocks thereby fill holes that no block from
 * the end fitted.
 *
 * <p>Invariants: a pure function of the table and free map it is given (a snapshot taken under the
 * block file's lock; the moves re-check each block as a tail relocation does); windows do not
 * overlap, each starts at a free extent and ends at a block's or a free extent's end.
 */
final class HoleMerger {
  /** What to move: the blocks (block number, offset, extent length) and the windows (start, end). */
  record Plan(long[][] blocks, long[][] windows) {
    static final Plan NONE = new Plan(new long[0][], new long[0][]);
  }

  private HoleMerger() {}

  /**
   * The plan for merging holes into ones of at least {@code need} bytes, moving at most {@code
   * budget} bytes of blocks.
   *
   * @param blocks (block number, offset, extent length) of every mapped block, any order
   * @param free the free extents, offset to length
   */
  static Plan plan(long[][] blocks, NavigableMap<Long, Long> free, long need, long budget) {
    if (need <= 0 || budget <= 0 || free.isEmpty()) {
      return Plan.NONE;
    }
    // The file's runs in address order: free extents (number -1) and blocks.
    List<long[]> items = new ArrayList<>(blocks.length + free.size());
    for (long[] b : blocks) {
      items.add(new long[] {b[0], b[1], b[2]});
    }
    for (Map.Entry<Long, Long> e : free.entrySet()) {
      items.add(new long[] {-1, e.getKey(), e.getValue()});
    }
    items.sort((a, b) -> Long.compare(a[1], b[1]));
    int n = items.size();
    // Candidate windows [i, j): from a free extent, the fewest items reaching need bytes.
    List<long[]> candidates = new ArrayList<>(); // (first item, last item + 1, live bytes, span)
    int j = 0;
    long live = 0;
    long freeIn = 0;
    for (int i = 0; i < n; i++) {
      if (j < i) {
        j = i;
        live = 0;
        freeIn = 0;
      }
      while (j < n && span(items, i, j) < need) {
        long[] it = items.get(j);
        if (j > i && it[1] != items.get(j - 1)[1] + items.get(j - 1)[2]) {
          break; // a gap no extent covers: past the allocator's end, or unused; stop the window
        }
        if (it[0] < 0) {
          freeIn += it[2];
        } else {
          live += it[2];
        }
        j++;
      }
      long[] first = items.get(i);
      if (first[0] < 0 && span(items, i, j) >= need && freeIn >= live && live > 0) {
        candidates.add(new long[] {i, j, live, span(items, i, j)});
      }
      if (first[0] < 0) {
        freeIn -= first[2];
      } else {
        live -= first[2];
      }
    }
    // Lowest share of block bytes first; ties by address.
    candidates.sort((a, b) -> {
      int c = Long.compare(a[2] * b[3], b[2] * a[3]);
      return c != 0 ? c : Long.compare(a[0], b[0]);
    });
    boolean[] taken = new boolean[n];
    List<long[]> moves = new ArrayList<>();
    List<long[]> windows = new ArrayList<>();
    long planned = 0;
    for (long[] c : candidates) {
      if (planned >= budget) {
        break;
      }
      int from = (int) c[0];
      int to = (int) c[1];
      boolean clear = true;
      for (int k = from; k < to && clear; k++) {
        clear = !taken[k];
      }
      if (!clear) {
        continue;
      }
      for (int k = from; k < to; k++) {
        taken[k] = true;
        long[] it = items.get(k);
        if (it[0] >= 0) {
          moves.add(it);
        }
      }
      windows.add(new long[] {items.get(from)[1], items.get(to - 1)[1] + items.get(to - 1)[2]});
      planned += c[2];
    }
    long[][] w = windows.toArray(new long[0][]);
    Arrays.sort(w, (a, b) -> Long.compare(a[0], b[0]));
    return new Plan(moves.toArray(new long[0][]), w);
  }

  /** Bytes from the start of item {@code i} to the end of item {@code j - 1} (0 if empty). */
  private static long span(List<long[]> items, int i, int j) {
    if (j <= i) {
      return 0;
    }
    long[] last = items.get(j - 1);
    return last[1] + last[2] - items.get(i)[1];
  }
}
