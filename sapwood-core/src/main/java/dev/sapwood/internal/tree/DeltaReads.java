package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.CacheTable;
import dev.sapwood.internal.store.BlockFile;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a leaf's delta segments ({@link DeltaSegment}) into memory for readers and flushes: the
 * index on first need, a segment whole when it is resident or worth fetching (the rent-or-buy
 * rule of {@link Partitions#bufferFor}), else the frames of a segment that can hold the keys read.
 * A get first asks each segment's key span and {@link KeyFilter}, and reads nothing of a segment
 * that cannot hold its key ({@code cache.delta_filter_skips}).
 *
 * <p>Invariants: segments are returned oldest first, the leaf's unwritten messages last (the order
 * of their MSNs); a segment's block is read only through the segment list of its own leaf, and its
 * header must agree with the index's sizes. Callers hold the leaf's read or write latch; lazily
 * filled fields are filled under the leaf's {@code fetchLock}.
 */
final class DeltaReads {
  private final BlockFile file;
  private final NodeStore store;
  private final CacheTable<Node> cache;
  private final TreeCounters counters;

  DeltaReads(BlockFile file, NodeStore store, TreeCounters counters) {
    this.file = file;
    this.store = store;
    this.cache = store.cache;
    this.counters = counters;
  }

  /** The segments of a latched leaf that has a delta index, oldest first (the index read on first need). */
  DeltaSegment[] segments(Node leaf) {
    DeltaSegment[] segs = leaf.segments;
    if (segs == null) {
      synchronized (leaf.fetchLock) {
        segs = leaf.segments;
        if (segs == null) {
          segs = DeltaIndex.read(file, leaf.deltaBlock, leaf.key());
          leaf.segments = segs;
          counters.deltaIndexReads.increment();
        }
      }
      cache.account(leaf);
    }
    return segs;
  }

  /** Segment {@code s} of a latched leaf, fetched whole if it is not in memory. */
  MessageBuffer whole(Node leaf, DeltaSegment s) {
    MessageBuffer b = s.buf;
    if (b == null) {
      synchronized (leaf.fetchLock) {
        b = s.buf;
        if (b == null) {
          b = PartitionReader.readBuffer(file, store.frames, s.block, directory(leaf, s), 0);
          s.buf = b;
          counters.deltaFetches.increment();
        }
      }
      cache.account(leaf);
    }
    s.used = true;
    return b;
  }

  /**
   * What a point query for {@code key} needs of a read-latched leaf's delta, oldest first (empty:
   * none): of each segment whose span and filter admit the key, the segment if resident or worth
   * fetching, else its frames that can hold the key; then the messages not yet written.
   */
  List<MessageBuffer> forKey(Node leaf, byte[] key) {
    return read(leaf, key, null, true);
  }

  /**
   * What a chunk read of {@code [from, to)} needs of a read-latched leaf's delta (as {@link
   * #forKey}, by the segments' key spans only). A cursor's seek once fetched the whole delta, up
   * to a leaf's size decompressed for a chunk of one basement (20M keys, 256 MiB cache:
   * seekrandom 4,685 → 1,489 ops/s with deltas on).
   */
  List<MessageBuffer> forRange(Node leaf, byte[] from, byte[] to) {
    return read(leaf, from, to, false);
  }

  private List<MessageBuffer> read(Node leaf, byte[] a, byte[] b, boolean point) {
    if (leaf.height != 0 || leaf.deltaBlock == 0) {
      return List.of();
    }
    DeltaSegment[] segs = segments(leaf);
    List<MessageBuffer> out = new ArrayList<>(segs.length + 1);
    for (DeltaSegment s : segs) {
      if (point ? !s.mayHold(a) : !s.mayOverlap(a, b)) {
        counters.deltaFilterSkips.increment();
        continue;
      }
      if (point) {
        counters.deltaFilterPasses.increment();
      }
      out.add(segmentFor(leaf, s, a, b, point));
    }
    MessageBuffer tail = leaf.delta;
    if (tail != null && !tail.isEmpty()) {
      out.add(tail);
    }
    return out;
  }

  private MessageBuffer segmentFor(Node leaf, DeltaSegment s, byte[] a, byte[] b, boolean point) {
    if (s.buf != null) {
      return whole(leaf, s);
    }
    PartitionDirectory d;
    synchronized (leaf.fetchLock) {
      d = directory(leaf, s);
    }
    if (Partitions.worthFetching(cache, d, 0)) {
      return whole(leaf, s);
    }
    counters.deltaPeeks.increment();
    return point ? FramePeeks.peekBuffer(file, store.frames, s.block, d, 0, a)
        : FramePeeks.peekBufferRange(file, store.frames, s.block, d, 0, a, b);
  }

  /**
   * The directory of segment {@code s}'s block, read on first need (under {@code fetchLock} or the
   * write latch) and checked against the index's sizes.
   */
  private PartitionDirectory directory(Node leaf, DeltaSegment s) {
    PartitionDirectory d = s.dir;
    if (d == null) {
      d = NodeReader.readDelta(file, s.block, leaf.key());
      counters.deltaHeaderReads.increment();
      if (d.rawLength(0) != s.rawBytes || d.count(0) != s.points || d.rangeCount(0) != s.ranges) {
        throw NodeReader.corrupt(file, s.block, 0, "delta segment of leaf " + leaf.key() + " holds "
            + d.count(0) + "+" + d.rangeCount(0) + " messages in " + d.rawLength(0) + " bytes; its index says "
            + s.points + "+" + s.ranges + " in " + s.rawBytes);
      }
      s.dir = d;
    }
    return d;
  }
}
