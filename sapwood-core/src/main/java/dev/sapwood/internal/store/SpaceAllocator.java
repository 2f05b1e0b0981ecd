package dev.sapwood.internal.store;

import java.util.Map;
import java.util.TreeMap;

/**
 * Free space of a block file, in extents aligned to {@link BlockFileFormat#ALIGNMENT}.
 *
 * <p>Policy: first fit by lowest address. Preferring low addresses keeps live data packed toward
 * the start of the file, so free space gathers at the end where a checkpoint can truncate it. An
 * allocation that fits no free extent is taken from {@link #end()}, growing the file.
 *
 * <p>Invariants: (1) every free extent is aligned, non-empty, lies in {@code [start, end)} and does
 * not touch or overlap another (neighbours are always coalesced); (2) {@code freeBytes} is the sum
 * of the free extents' lengths. Not thread-safe: the owning {@link BlockFile} guards it.
 */
final class SpaceAllocator {
  private final long start;
  private final TreeMap<Long, Long> free = new TreeMap<>(); // offset -> length
  private long end;
  private long freeBytes;

  /** An allocator with nothing allocated: everything from {@code start} on is unused. */
  SpaceAllocator(long start) {
    checkAligned(start, 0);
    this.start = start;
    this.end = start;
  }

  /**
   * Rebuilds the free map from the extents in use: everything in {@code [start, end)} that no
   * extent covers is free, where {@code end} is the end of the highest used extent.
   *
   * @param used (offset, length) pairs, aligned, not overlapping, in any order
   */
  static SpaceAllocator rebuild(long start, long[][] used) {
    SpaceAllocator a = new SpaceAllocator(start);
    TreeMap<Long, Long> sorted = new TreeMap<>();
    for (long[] e : used) {
      checkAligned(e[0], e[1]);
      if (e[0] < start || sorted.put(e[0], e[1]) != null) {
        throw new IllegalArgumentException("bad used extent at " + e[0]);
      }
    }
    long at = start;
    for (Map.Entry<Long, Long> e : sorted.entrySet()) {
      if (e.getKey() < at) {
        throw new IllegalArgumentException("used extents overlap at " + e.getKey());
      }
      a.end = e.getKey() + e.getValue();
      if (e.getKey() > at) {
        a.release(at, e.getKey() - at);
      }
      at = a.end;
    }
    return a;
  }

  /** Allocates an extent of {@code length} bytes (a positive multiple of the alignment). */
  long allocate(long length) {
    checkAligned(0, length);
    if (length <= 0) {
      throw new IllegalArgumentException("empty allocation");
    }
    for (Map.Entry<Long, Long> e : free.entrySet()) {
      // Copy out before removing: TreeMap may reuse a removed entry's node for its successor.
      long offset = e.getKey();
      long available = e.getValue();
      if (available >= length) {
        free.remove(offset);
        if (available > length) {
          free.put(offset + length, available - length);
        }
        freeBytes -= length;
        return offset;
      }
    }
    long offset = end;
    end += length;
    return offset;
  }

  /** Returns {@code [offset, offset + length)} to the free map, coalescing with neighbours. */
  void release(long offset, long length) {
    checkAligned(offset, length);
    if (length <= 0 || offset < start || offset + length > end) {
      throw new IllegalStateException(
          "release of [" + offset + ", " + (offset + length) + ") outside [" + start + ", " + end
              + ")");
    }
    Map.Entry<Long, Long> before = free.floorEntry(offset);
    Map.Entry<Long, Long> after = free.ceilingEntry(offset);
    if ((before != null && before.getKey() + before.getValue() > offset)
        || (after != null && after.getKey() < offset + length)) {
      throw new IllegalStateException("double release of extent at " + offset);
    }
    freeBytes += length;
    long s = offset;
    long len = length;
    if (before != null && before.getKey() + before.getValue() == offset) {
      s = before.getKey();
      len += before.getValue();
      free.remove(before.getKey());
    }
    if (after != null && after.getKey() == offset + length) {
      len += after.getValue();
      free.remove(after.getKey());
    }
    free.put(s, len);
  }

  /** Drops the free extent that ends at {@link #end()}, if any; returns the new end. */
  long trimTail() {
    Map.Entry<Long, Long> last = free.lastEntry();
    if (last != null && last.getKey() + last.getValue() == end) {
      free.remove(last.getKey());
      freeBytes -= last.getValue();
      end = last.getKey();
    }
    return end;
  }

  /** Offset {@link #allocate} would return for {@code length} from the free extents, or -1. */
  long firstFit(long length) {
    for (Map.Entry<Long, Long> e : free.entrySet()) {
      if (e.getValue() >= length) {
        return e.getKey();
      }
    }
    return -1;
  }

  /**
   * The lowest offset where {@code length} bytes fit in a free extent without touching any of the
   * {@code windows} (sorted, non-overlapping {start, end} pairs), below {@code limit}; -1 if none.
   */
  long firstFitOutside(long length, long[][] windows, long limit) {
    for (Map.Entry<Long, Long> e : free.entrySet()) {
      long at = e.getKey();
      long stop = Math.min(at + e.getValue(), limit);
      for (long[] w : windows) {
        if (at + length <= stop && at + length <= w[0]) {
          break; // fits before this window (and every later one)
        }
        if (w[1] > at && w[0] < stop) {
          at = Math.max(at, w[1]); // the window covers part of the extent: try after it
        }
      }
      if (at + length <= stop) {
        return at;
      }
    }
    return -1;
  }

  /** Allocates {@code [offset, offset + length)}, which must lie inside one free extent. */
  void allocateAt(long offset, long length) {
    checkAligned(offset, length);
    Map.Entry<Long, Long> e = free.floorEntry(offset);
    if (length <= 0 || e == null || e.getKey() + e.getValue() < offset + length) {
      throw new IllegalStateException("[" + offset + ", +" + length + ") is not free");
    }
    long s = e.getKey();
    long len = e.getValue();
    free.remove(s);
    if (offset > s) {
      free.put(s, offset - s);
    }
    if (offset + length < s + len) {
      free.put(offset + length, s + len - offset - length);
    }
    freeBytes -= length;
  }

  /** Allocates {@code length} bytes at {@link #end()}, past every free extent. */
  long allocateAtEnd(long length) {
    checkAligned(0, length);
    long offset = end;
    end += length;
    return offset;
  }

  /** A copy of the free extents, offset to length. */
  TreeMap<Long, Long> freeExtentsCopy() {
    return new TreeMap<>(free);
  }

  /** First byte past every allocated and free extent. */
  long end() {
    return end;
  }

  /** Total bytes in free extents. */
  long freeBytes() {
    return freeBytes;
  }

  /** Number of free extents (for tests and counters). */
  int freeExtents() {
    return free.size();
  }

  /**
   * The shape of the free space: {number of extents, the largest, bytes in extents under 64 KiB,
   * under 256 KiB, under 1 MiB}. Walks every free extent (counters, not a hot path).
   */
  long[] shape() {
    long[] out = new long[5];
    for (long len : free.values()) {
      out[0]++;
      out[1] = Math.max(out[1], len);
      if (len < (64 << 10)) {
        out[2] += len;
      }
      if (len < (256 << 10)) {
        out[3] += len;
      }
      if (len < (1 << 20)) {
        out[4] += len;
      }
    }
    return out;
  }

  /** Whether {@code [offset, offset + length)} lies entirely inside one free extent. */
  boolean isFree(long offset, long length) {
    Map.Entry<Long, Long> e = free.floorEntry(offset);
    return e != null && e.getKey() + e.getValue() >= offset + length;
  }

  private static void checkAligned(long offset, long length) {
    if (offset % BlockFileFormat.ALIGNMENT != 0 || length % BlockFileFormat.ALIGNMENT != 0
        || length < 0) {
      throw new IllegalArgumentException("unaligned extent [" + offset + ", +" + length + ")");
    }
  }
}
