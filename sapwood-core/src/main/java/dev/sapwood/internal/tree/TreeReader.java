package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.Pins;

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
  private final ChunkReader chunks;

  TreeReader(TreeContext ctx, long root, Versions versions) {
    this.ctx = ctx;
    this.root = root;
    this.versions = versions;
    this.chunks = new ChunkReader(ctx, root, versions);
  }

  /**
   * The value of {@code key} at the snapshot {@code s} (Long.MAX_VALUE: the tree as it is), or
   * null; see {@link BeTree#get(byte[], long)}.
   */
  byte[] get(byte[] key, long s) {
    return ctx.guarded(() -> getUnguarded(key, s));
  }

  /** See {@link BeTree#readForward(byte[], byte[], int, long, Chunk)}. */
  Chunk readForward(byte[] from, byte[] stop, int limit, long s, Chunk into) {
    return ctx.guarded(() -> chunks.read(true, from == null ? new byte[0] : from, stop, limit, s, into));
  }

  /** See {@link BeTree#readBackward(byte[], byte[], int, long, Chunk)}. */
  Chunk readBackward(byte[] to, byte[] stop, int limit, long s, Chunk into) {
    return ctx.guarded(() -> chunks.read(false, to, stop, limit, s, into));
  }

  /** A get, its frame peeks in arrays lent for it ({@link PeekArrays}: what it returns is copied). */
  private byte[] getUnguarded(byte[] key, long s) {
    PeekArrays scope = PeekArrays.open();
    try {
      return getInScope(key, s);
    } finally {
      scope.close();
    }
  }

  private byte[] getInScope(byte[] key, long s) {
    int[] points = PeekArrays.takeInts(8); // the messages collected are copied: lent for the read too
    MessageBuffer collected = MessageBuffer.over(PeekArrays.take(256), 0, points, PeekArrays.takePrefixes(points.length));
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
    int messages = collected.pointCount() + collected.rangeCount();
    int at = b.find(key);
    if (messages == 0) {
      return at >= 0 ? b.value(at) : null; // nothing buffered for the key: its entry is the answer
    }
    ctx.counters.pointReadMessages.add(messages);
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
}
