package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.Pins;
import java.util.ArrayList;
import java.util.List;

/**
 * A cursor's chunk read of one {@link BeTree}: one root-to-leaf descent that takes the leaf's
 * entries near the chunk's bound (a resident basement, or only the frames of one that is not:
 * {@link ChunkFrames}), narrows the chunk's key range to about its limit of those entries, and
 * applies the buffered messages of that range on the path and in the leaf's delta segments
 * ({@link ChunkMessages}). Beyond the cache a seek then reads and applies the messages of about
 * the entries it returns, not of a whole basement (docs/design.md, "What a seek reads").
 *
 * <p>Invariants: a chunk of {@code [from, to)} applies every message of that range, so a chunk may
 * declare any range that starts at its bound (forward: {@code from} = the bound; backward: {@code
 * to} = the bound) and moves on; a read never writes a node; every pin it takes is released when
 * it returns or throws (the caller runs it under {@link TreeContext#guarded}). At a snapshot the
 * versions kept for it are consulted only after the basement was taken ({@link Versions}).
 *
 * <p>Locking: the whole path stays read-latched (the leaf pinned, or read through a flush's view)
 * until the chunk is built. Thread-safe.
 */
final class ChunkReader {
  private final TreeContext ctx;
  private final long root;
  private final Versions versions;

  ChunkReader(TreeContext ctx, long root, Versions versions) {
    this.ctx = ctx;
    this.root = root;
    this.versions = versions;
  }

  /**
   * The chunk at {@code bound} (forward: from it, inclusive; backward: below it) of at most
   * {@code limit} entries forward (backward: about {@code limit} by the basement's entries, never
   * cut short); {@code stop}: null, or where the caller's range ends in the direction of the read;
   * {@code s}: the snapshot's MSN, or Long.MAX_VALUE to read the tree as it is; {@code into}: the
   * chunk emptied, filled and returned.
   */
  Chunk read(boolean forward, byte[] bound, byte[] stop, int limit, long s, Chunk into) {
    PeekArrays scope = PeekArrays.open(); // the chunk copies what it emits and its bounds
    try {
      into.reset(forward ? limit : Integer.MAX_VALUE);
      return readInScope(forward, bound, stop, limit, s, into);
    } finally {
      scope.close();
    }
  }

  private Chunk readInScope(boolean forward, byte[] bound, byte[] stop, int limit, long s, Chunk chunk) {
    List<Node> path = new ArrayList<>(8);
    int[] slots = new int[8];
    byte[] lo = null;
    byte[] hi = null;
    FlushView.PinnedLeaf leaf = null;
    Pins pins = ctx.cache.pins();
    Node node = ctx.pinRootRead(root, pins);
    try {
      while (true) {
        int c = forward ? node.partitionFor(bound) : node.partitionBefore(bound);
        lo = Keys.maxLow(lo, node.lowerBound(c));
        hi = Keys.minHigh(hi, node.upperBound(c));
        if (path.size() == slots.length) {
          slots = java.util.Arrays.copyOf(slots, slots.length * 2);
        }
        slots[path.size()] = c;
        path.add(node);
        if (node.height == 1) {
          leaf = FlushView.pinLeafRead(ctx, node, c, pins);
          break;
        }
        node = ctx.pinChildRead(node, c, pins);
      }
      FlushView v = leaf.view();
      Basement b;
      if (v == null) {
        Node n = leaf.node();
        int slot = forward ? n.partitionFor(bound) : n.partitionBefore(bound);
        lo = Keys.maxLow(lo, n.lowerBound(slot));
        hi = Keys.minHigh(hi, n.upperBound(slot));
        if (ctx.partitions.basementWhole(n, slot)) {
          b = ctx.partitions.basement(n, slot);
        } else {
          PartitionDirectory d = n.disk;
          long frames = forward ? ChunkFrames.span(d, slot, bound, limit) : ChunkFrames.spanBefore(d, slot, bound, limit);
          int first = (int) (frames >>> 32);
          int end = (int) frames;
          if (end < d.frameEnd(slot)) {
            hi = Keys.minHigh(hi, d.firstKey(end)); // the chunk ends where the next frame begins
          }
          if (first > d.firstFrame(slot)) {
            lo = Keys.maxLow(lo, d.firstKey(first)); // and starts where its first frame does
          }
          b = ctx.partitions.peekBasementFrames(n, slot, first, end);
        }
      } else {
        int slot = forward ? v.partitionFor(bound) : v.partitionBefore(bound);
        lo = Keys.maxLow(lo, v.lowerBound(slot));
        hi = Keys.minHigh(hi, v.upperBound(slot));
        b = v.basements[slot];
      }
      byte[] from = forward ? bound : Keys.maxLow(lo, stop);
      byte[] to = forward ? Keys.minHigh(hi, stop) : bound;
      if (limit != Integer.MAX_VALUE) { // the chunk's range: about its limit of the basement's entries
        int e0 = b.lowerBound(from);
        int e1 = b.lowerBoundOrEnd(to);
        if (e1 - e0 > limit) {
          if (forward) {
            to = b.key(e0 + limit);
            hi = to;
          } else {
            from = b.key(e1 - limit);
            lo = from;
          }
        }
      }
      ChunkMessages msgs = new ChunkMessages(from, to, s);
      int peeks = 0;
      int emptyPeeks = 0;
      for (int i = 0; i < path.size(); i++) {
        Node p = path.get(i);
        MessageBuffer buf = ctx.partitions.bufferForRange(p, slots[i], from, to);
        boolean held = msgs.add(buf);
        if (buf != p.buffers[slots[i]]) { // peeked, not resident
          peeks++;
          emptyPeeks += held ? 0 : 1;
        }
      }
      if (v == null) {
        Node ln = leaf.node();
        for (MessageBuffer delta : ctx.partitions.deltas.forRange(ln, from, to)) {
          boolean held = msgs.add(delta); // the leaf's delta segments, like its parent's buffer
          if (!resident(ln, delta)) {
            peeks++;
            emptyPeeks += held ? 0 : 1;
          }
        }
      } else {
        msgs.add(v.incoming);
      }
      TreeCounters counters = ctx.counters;
      counters.chunkReads.increment();
      counters.chunkMessages.add(msgs.messages());
      counters.chunkPeeks.add(peeks);
      counters.chunkPeeksEmpty.add(emptyPeeks);
      MessageBuffer collected = msgs.collected();
      int e0 = b.lowerBound(from);
      int e1 = b.lowerBoundOrEnd(to);
      int m0 = collected.lowerBound(from);
      int m1 = collected.lowerBoundOrEnd(to);
      reserve(chunk, b, e0, e1, collected, m0, m1, forward ? limit : Integer.MAX_VALUE);
      ctx.newApplier().apply(b, e0, e1, collected, m0, m1, from, to, b.maxMsn(), chunk);
      if (forward && chunk.full()) {
        chunk.next = chunk.keySuccessor(chunk.size() - 1);
      } else {
        chunk.next = forward ? hi : lo;
      }
      chunk.atEnd = chunk.next == null
          || stop != null && (forward ? Keys.compare(chunk.next, stop) >= 0 : Keys.compare(chunk.next, stop) <= 0);
      if (s != Long.MAX_VALUE) {
        // After the basement was taken (see Versions): the versions kept for this snapshot replace
        // what the leaf says for their keys in the range this chunk read.
        versions.forEachAt(from, forward && chunk.full() ? chunk.next : to, s, chunk::overlay);
      }
      return chunk;
    } finally {
      if (leaf != null) {
        leaf.unpin(ctx.cache, pins);
      }
      for (Node n : path) {
        ctx.cache.unpinRead(n, pins);
      }
    }
  }

  /**
   * Sizes {@code chunk} for what it will hold: the keys and values of entries {@code [e0, e1)} of
   * {@code b} and the records of points {@code [m0, m1)} of {@code msgs}, scaled down to {@code
   * limit} entries (a hint: messages may replace or delete entries, or add more).
   */
  private static void reserve(Chunk chunk, Basement b, int e0, int e1, MessageBuffer msgs, int m0, int m1, int limit) {
    long bytes = 0;
    long entries = 0;
    for (int i = e0; i < e1 && entries < limit; i++, entries++) {
      bytes += b.keyLen(i) + b.valueLen(i);
    }
    for (int i = m0; i < m1 && i - m0 < limit; i++, entries++) {
      bytes += msgs.recordSize(msgs.point(i));
    }
    if (entries > limit) { // the messages may replace entries: the limit's share of both
      bytes = bytes * limit / entries;
      entries = limit;
    }
    chunk.reserve(bytes, (int) entries);
  }

  /** Whether {@code buf}, one of a latched leaf's delta buffers, is resident (not a peek's). */
  private static boolean resident(Node leaf, MessageBuffer buf) {
    if (buf == leaf.delta) {
      return true;
    }
    DeltaSegment[] segs = leaf.segments;
    if (segs != null) {
      for (DeltaSegment seg : segs) {
        if (seg.buf == buf) {
          return true;
        }
      }
    }
    return false;
  }
}
