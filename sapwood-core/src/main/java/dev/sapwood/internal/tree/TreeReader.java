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

  /** See {@link BeTree#readForward(byte[], byte[], int, long)}. */
  Chunk readForward(byte[] from, byte[] stop, int limit, long s) {
    return ctx.guarded(() -> chunks.read(true, from == null ? new byte[0] : from, stop, limit, s));
  }

  /** See {@link BeTree#readBackward(byte[], byte[], int, long)}. */
  Chunk readBackward(byte[] to, byte[] stop, int limit, long s) {
    return ctx.guarded(() -> chunks.read(false, to, stop, limit, s));
  }

  private byte[] getUnguarded(byte[] key, long s) {
    MessageBuffer collected = new MessageBuffer(64);
    Pins pins = ctx.cache.pins(); // once per read, not once per pin
    Node node = ctx.pinRootRead(root, pins);
    while (node.height > 1) {
      int c = node.partitionFor(key);
      collectFor(ctx.partitions.bufferFor(node, c, key), key, s, collected);
      Node child = ctx.pinChildRead(node, c, pins);
      ctx.cache.unpinRead(node, pins);
      node = child;
    }
    int c = node.partitionFor(key);
    collectFor(ctx.partitions.bufferFor(node, c, key), key, s, collected);
    FlushView.PinnedLeaf leaf = FlushView.pinLeafRead(ctx, node, c, pins);
    ctx.cache.unpinRead(node, pins);
    Basement b;
    try {
      FlushView v = leaf.view();
      if (v == null) {
        Node ln = leaf.node();
        b = ctx.partitions.basementFor(ln, ln.partitionFor(key), key);
        for (MessageBuffer delta : ctx.partitions.deltas.forKey(ln, key)) {
          collectFor(delta, key, s, collected); // the leaf's delta segments, like its parent's buffer
        }
      } else {
        b = v.basements[v.partitionFor(key)];
        collectFor(v.incoming, key, s, collected);
      }
    } finally {
      leaf.unpin(ctx.cache, pins);
    }
    if (s != Long.MAX_VALUE) {
      byte[] kept = versions.at(key, s); // after the basement: see Versions
      if (kept != Versions.LEAF) {
        return kept == null ? null : kept.clone();
      }
    }
    ctx.counters.pointReads.increment();
    ctx.counters.pointReadMessages.add(collected.pointCount() + collected.rangeCount());
    int at = b.find(key);
    Chunk one = new Chunk();
    ctx.newApplier().apply(b, Math.max(at, 0), at >= 0 ? at + 1 : 0, collected, 0, collected.pointCount(),
        key, Keys.successor(key), b.maxMsn(), one);
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
