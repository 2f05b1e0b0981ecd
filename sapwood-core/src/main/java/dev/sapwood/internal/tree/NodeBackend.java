package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.CacheBackend;

/** Loads nodes from the block file, writes dirty ones back, and partially evicts clean leaves. */
final class NodeBackend implements CacheBackend<Node> {
  private final TreeContext ctx;

  NodeBackend(TreeContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Node load(long block) {
    Node node = NodeReader.read(ctx.file, block);
    ctx.counters.nodesRead.increment();
    return node;
  }

  @Override
  public void writeBack(Node node) {
    ctx.writeNode(node);
  }

  /**
   * A clean node with partitions in memory drops them all (basements of a leaf, buffers of an
   * internal node: they can be fetched again one by one); the shell with its pivots, children and
   * partition directory stays until the next pass. For that the node needs a directory, which it
   * has once it has been read or written.
   */
  @Override
  public boolean shrink(Node node) {
    if (node.isDirty() || node.disk == null) {
      return false;
    }
    int dropped = 0;
    for (int i = 0; i < node.n; i++) {
      if (node.height == 0 ? node.basements[i] != null : node.buffers[i] != null) {
        if (node.height == 0) {
          node.basements[i] = null;
        } else {
          node.buffers[i] = null;
        }
        dropped++;
      }
    }
    ctx.counters.partitionEvictions.add(dropped);
    return dropped > 0;
  }
}
