package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.CacheTable;
import dev.sapwood.internal.events.FlushEvent;

/**
 * The cleaner (TokuFT's cleaner thread): picks cached internal nodes whose buffers have grown
 * heavy and flushes their heaviest child, cascading as a writer's flush does, so writers find
 * light roots. The engine runs a pass now and then; the tree itself never waits for it.
 *
 * <p>Invariants: a node is flushed only under its write latch, taken only if it is still cached
 * (the cleaner never reads a node from disk); every node it finds there knows its tree's versions
 * store, which the children it loads take from it ({@link NodeOwners}: a node is published with
 * it), so the cleaner may flush a node no descent has reached yet; every pin is released if a
 * flush fails part-way ({@link TreeContext#guarded}).
 */
public final class Cleaner {
  private final TreeContext ctx;
  private final CacheTable<Node> cache;

  Cleaner(TreeContext ctx) {
    this.ctx = ctx;
    this.cache = ctx.cache;
  }

  /**
   * Block numbers of cached internal nodes whose buffers hold at least {@code threshold} bytes,
   * fullest first, at most {@code max}: the cleaner's candidates. Reads sizes without latches, so
   * the order is approximate.
   */
  public long[] candidates(long threshold, int max) {
    java.util.List<long[]> found = new java.util.ArrayList<>();
    cache.forEach(node -> {
      if (node.height > 0) {
        long bytes = 0;
        MessageBuffer[] bufs = node.buffers;
        for (MessageBuffer b : bufs) {
          bytes += b == null ? 0 : b.bytes();
        }
        if (bytes >= threshold) {
          found.add(new long[] {node.key(), bytes});
        }
      }
    });
    found.sort((a, b) -> Long.compare(b[1], a[1]));
    long[] out = new long[Math.min(max, found.size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = found.get(i)[0];
    }
    return out;
  }

  /**
   * Flushes the heaviest child of cached internal node {@code block} if its buffers hold at least
   * {@code threshold} bytes, cascading as a writer's flush does. Returns the bytes of the buffer it
   * flushed (what {@code cleaner.buffer_bytes_total} adds; the cascade below is not counted), 0 if
   * it flushed nothing.
   */
  public long clean(long block, long threshold) {
    // Its flushes are not writes going on: once users stop writing, the cache goes quiet anyway.
    return cache.runUnnoted(() -> ctx.guarded(() -> cleanUnguarded(block, threshold)));
  }

  private long cleanUnguarded(long block, long threshold) {
    Node node = cache.pinWriteIfCached(block);
    if (node == null) {
      return 0;
    }
    if (node.height > 0 && node.bufferBytes() == 0) {
      ctx.counters.cleanerEmptyNodes.increment(); // emptied since it was picked
    }
    assert node.versions != null : "node " + node.key() + " cached without its tree's versions store";
    if (node.height == 0 || node.bufferBytes() < threshold) {
      cache.unpinWrite(node);
      return 0;
    }
    ctx.counters.cleanerFlushes.increment();
    boolean wasClean = !node.dirty;
    MessageBuffer heaviest = node.buffers[ctx.flusher.heaviestChild(node)];
    long bytes = heaviest.bytes();
    ctx.counters.cleanerFlush(node.height, bytes, heaviest.pointCount() + heaviest.rangeCount(), wasClean);
    FlushEvent flush = FlushEvent.start(FlushEvent.CLEANER, node.key(), node.height, node.bufferBytes());
    ctx.flusher.flushOnce(node);
    FlushEvent.finish(flush);
    return bytes;
  }
}
