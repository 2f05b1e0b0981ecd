package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.Pins;
import java.util.ArrayList;
import java.util.List;

/**
 * The read path of one {@link BeTree}: point queries and cursor chunks, now or at a snapshot's
 * MSN. Each read collects the buffered messages on its root-to-leaf path that concern its keys and
 * applies them to the leaf's basement, without changing the tree.
 *
 * <p>Invariants: a read never writes a node; every pin it takes is released when it returns or
 * throws ({@link TreeContext#guarded}). At a snapshot, the versions kept for it are consulted only
 * after the basement was taken (see {@link Versions}).
 *
 * <p>Locking: readers couple read latches down one root-to-leaf path (a chunk read keeps the whole
 * path read-latched until its chunk is built). A leaf that a flush is rebuilding is read through
 * the flush's view, pinned but not latched ({@link FlushView}). Thread-safe.
 */
final class TreeReader {
  private final TreeContext ctx;
  private final long root;
  private final Versions versions;

  TreeReader(TreeContext ctx, long root, Versions versions) {
    this.ctx = ctx;
    this.root = root;
    this.versions = versions;
  }

  /**
   * The value of {@code key} at the snapshot {@code s} (Long.MAX_VALUE: the tree as it is), or
   * null; see {@link BeTree#get(byte[], long)}.
   */
  byte[] get(byte[] key, long s) {
    return ctx.guarded(() -> getUnguarded(key, s));
  }

  /** See {@link BeTree#readForward(byte[], byte[], int, long)}. */
  Chunk readForward(byte[] from, byte[] stop, int limit, long s) {
    return ctx.guarded(() -> readChunkUnguarded(true, from == null ? new byte[0] : from, stop, limit, s));
  }

  /** See {@link BeTree#readBackward(byte[], byte[], long)}. */
  Chunk readBackward(byte[] to, byte[] stop, long s) {
    return ctx.guarded(() -> readChunkUnguarded(false, to, stop, Integer.MAX_VALUE, s));
  }

  private byte[] getUnguarded(byte[] key, long s) {
    MessageBuffer collected = new MessageBuffer(64);
    boolean latest = s == Long.MAX_VALUE;
    Pins pins = ctx.cache.pins(); // once per read, not once per pin
    Node node = ctx.pinRootRead(root, pins);
    int c;
    while (true) {
      c = node.partitionFor(key);
      collectFor(ctx.partitions.bufferFor(node, c, key), key, s, collected);
      long at = latest ? decidedAt(collected) : -1;
      if (at >= 0) {
        ctx.cache.unpinRead(node, pins); // nothing below can change the answer
        ctx.counters.getsDecidedAbove.increment();
        return answer(Basement.empty(), key, collected, at - 1);
      }
      if (node.height == 1) {
        break;
      }
      Node child = ctx.pinChildRead(node, c, pins);
      ctx.cache.unpinRead(node, pins);
      node = child;
    }
    FlushView.PinnedLeaf leaf = FlushView.pinLeafRead(ctx, node, c, pins);
    ctx.cache.unpinRead(node, pins);
    Basement b;
    long skip = -1; // messages at or below it are in the basement, or older than a deciding message
    try {
      FlushView v = leaf.view();
      if (v == null) {
        Node ln = leaf.node();
        for (MessageBuffer delta : ctx.partitions.deltas.forKey(ln, key)) {
          collectFor(delta, key, s, collected); // the leaf's delta segments, like its parent's buffer
        }
        long at = latest ? decidedAt(collected) : -1;
        if (at >= 0) {
          ctx.counters.getsDecidedByDelta.increment(); // the basement is older than the delta
          b = Basement.empty();
          skip = at - 1;
        } else {
          b = ctx.partitions.basementFor(ln, ln.partitionFor(key), key);
        }
      } else {
        b = v.basements[v.partitionFor(key)];
        collectFor(v.incoming, key, s, collected);
      }
    } finally {
      leaf.unpin(ctx.cache, pins);
    }
    if (!latest) {
      byte[] kept = versions.at(key, s); // after the basement: see Versions
      if (kept != Versions.LEAF) {
        return kept == null ? null : kept.clone();
      }
    }
    return answer(b, key, collected, skip >= 0 ? skip : b.maxMsn());
  }

  /**
   * The MSN of the newest point PUT or DELETE among the messages collected for one key, or -1 if
   * none. Such a message decides the key's value whatever lies below it: messages deeper in the
   * tree (lower buffers, the leaf's delta, its basement) are older than every message of the same
   * key above them, since a leaf never gets a message while an older one of its key is buffered
   * above (docs/design.md, "A get stops at its key's newest put"). The answer is then that message
   * with the newer ones collected beside it applied on top. Only for reads of the tree as it is:
   * a snapshot read consults the versions kept for it after the basement.
   */
  private static long decidedAt(MessageBuffer collected) {
    long at = -1;
    for (int i = 0; i < collected.pointCount(); i++) {
      int rec = collected.point(i);
      byte t = collected.type(rec);
      if (t == MessageType.PUT || t == MessageType.DELETE) {
        at = Math.max(at, collected.msn(rec));
      }
    }
    return at;
  }

  /**
   * The value of {@code key}: the messages of {@code collected} above {@code skipMsn} applied to
   * its entry in {@code b} (or to none).
   */
  private byte[] answer(Basement b, byte[] key, MessageBuffer collected, long skipMsn) {
    ctx.counters.pointReads.increment();
    ctx.counters.pointReadMessages.add(collected.pointCount() + collected.rangeCount());
    int at = b.find(key);
    Chunk one = new Chunk();
    ctx.newApplier().apply(b, Math.max(at, 0), at >= 0 ? at + 1 : 0, collected, 0, collected.pointCount(),
        key, Keys.successor(key), skipMsn, one);
    return one.size() == 0 ? null : one.value(0);
  }

  /** Copies into {@code collected} the messages of {@code buf} at or below {@code s} that concern {@code key}. */
  private static void collectFor(MessageBuffer buf, byte[] key, long s, MessageBuffer collected) {
    for (int i = buf.lowerBound(key); i < buf.pointCount() && buf.compareKey(buf.point(i), key) == 0; i++) {
      if (buf.msn(buf.point(i)) <= s) {
        collected.addCopy(buf, buf.point(i));
      }
    }
    for (int i = 0; i < buf.rangeCount(); i++) {
      if (buf.msn(buf.range(i)) <= s && buf.rangeCovers(buf.range(i), key, 0, key.length)) {
        collected.addCopy(buf, buf.range(i));
      }
    }
  }

  /**
   * {@code stop}: null, or where the caller's range ends in the direction of the read; {@code s}:
   * the snapshot's MSN, or Long.MAX_VALUE to read the tree as it is.
   */
  private Chunk readChunkUnguarded(boolean forward, byte[] bound, byte[] stop, int limit, long s) {
    List<Node> path = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
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
        path.add(node);
        slots.add(c);
        if (node.height == 1) {
          leaf = FlushView.pinLeafRead(ctx, node, c, pins);
          break;
        }
        node = ctx.pinChildRead(node, c, pins);
      }
      FlushView v = leaf.view();
      int slot;
      long frames = -1; // the basement's frames a forward read peeks (ChunkFrames), or -1: all of it
      if (v == null) {
        Node n = leaf.node();
        slot = forward ? n.partitionFor(bound) : n.partitionBefore(bound);
        lo = Keys.maxLow(lo, n.lowerBound(slot));
        hi = Keys.minHigh(hi, n.upperBound(slot));
        if (forward && !ctx.partitions.basementWhole(n, slot)) {
          frames = ChunkFrames.span(n.disk, slot, bound, limit);
          int end = (int) frames;
          if (end < n.disk.frameEnd(slot)) {
            hi = Keys.minHigh(hi, n.disk.firstKey(end)); // the chunk ends where the next frame begins
          }
        }
      } else {
        slot = forward ? v.partitionFor(bound) : v.partitionBefore(bound);
        lo = Keys.maxLow(lo, v.lowerBound(slot));
        hi = Keys.minHigh(hi, v.upperBound(slot));
      }
      byte[] from = forward ? bound : Keys.maxLow(lo, stop);
      byte[] to = forward ? Keys.minHigh(hi, stop) : bound;
      MessageBuffer collected = new MessageBuffer(256);
      for (int i = 0; i < path.size(); i++) {
        ctx.partitions.bufferForRange(path.get(i), slots.get(i), from, to).copyRangeTo(from, to, collected, s);
      }
      Basement b;
      if (v == null) {
        Node ln = leaf.node();
        b = frames < 0 ? ctx.partitions.basement(ln, slot)
            : ctx.partitions.peekBasementFrames(ln, slot, (int) (frames >>> 32), (int) frames);
        for (MessageBuffer delta : ctx.partitions.deltas.forRange(ln, from, to)) {
          delta.copyRangeTo(from, to, collected, s); // the leaf's delta segments, like its parent's buffer
        }
      } else {
        v.incoming.copyRangeTo(from, to, collected, s);
        b = v.basements[slot];
      }
      Chunk chunk = new Chunk(limit);
      ctx.newApplier().apply(b, b.lowerBound(from), b.lowerBoundOrEnd(to), collected,
          collected.lowerBound(from), collected.lowerBoundOrEnd(to), from, to, b.maxMsn(), chunk);
      if (forward && chunk.full()) {
        chunk.next = Keys.successor(chunk.key(chunk.size() - 1));
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
}
