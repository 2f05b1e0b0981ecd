package dev.sapwood.internal.tree;

/**
 * Brings node partitions into memory: one at a time for readers (partial fetch: a point query
 * needs one buffer per internal node and one basement of the leaf), all of them before a node is
 * changed (a dirty node is always whole, so it can be written).
 */
final class Partitions {
  private final TreeContext ctx;

  Partitions(TreeContext ctx) {
    this.ctx = ctx;
  }

  /** Buffer i of a latched internal node, fetched if it is not in memory. */
  MessageBuffer buffer(Node node, int i) {
    MessageBuffer b = node.buffers[i];
    if (b != null) {
      return b;
    }
    synchronized (node.fetchLock) {
      b = node.buffers[i];
      if (b == null) {
        b = NodeReader.readBuffer(ctx.file, node.key(), node.disk, i);
        node.buffers[i] = b;
        ctx.counters.partialFetches.increment();
      }
    }
    ctx.cache.account(node);
    return b;
  }

  /** Basement i of a latched leaf, fetched if it is not in memory. */
  Basement basement(Node leaf, int i) {
    Basement b = leaf.basements[i];
    if (b != null) {
      return b;
    }
    synchronized (leaf.fetchLock) {
      b = leaf.basements[i];
      if (b == null) {
        b = NodeReader.readBasement(ctx.file, leaf.key(), leaf.disk, i);
        leaf.basements[i] = b;
        ctx.counters.partialFetches.increment();
      }
    }
    ctx.cache.account(leaf);
    return b;
  }

  /**
   * Makes every partition of a write-latched node resident; call before changing it. Cheap when
   * the node is already whole.
   */
  void loadAll(Node node) {
    for (int i = 0; i < node.n; i++) {
      if (node.height == 0) {
        if (node.basements[i] == null) {
          node.basements[i] = NodeReader.readBasement(ctx.file, node.key(), node.disk, i);
          ctx.counters.partialFetches.increment();
        }
      } else if (node.buffers[i] == null) {
        node.buffers[i] = NodeReader.readBuffer(ctx.file, node.key(), node.disk, i);
        ctx.counters.partialFetches.increment();
      }
    }
  }
}
