package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.CacheBackend;
import dev.sapwood.internal.store.BlockFile;

/**
 * Loads nodes from the block file (or their parked images), each knowing its tree before the cache
 * publishes it ({@link NodeOwners}), writes dirty ones back, and partially evicts clean leaves.
 */
final class NodeBackend implements CacheBackend<Node> {
  private final BlockFile file;
  private final TreeCounters counters;
  private final NodeStore store;
  private final NodeOwners owners;

  NodeBackend(BlockFile file, TreeCounters counters, NodeStore store, NodeOwners owners) {
    this.file = file;
    this.counters = counters;
    this.store = store;
    this.owners = owners;
  }

  /** The node of {@code block}, reached through {@code parent} (null: a tree's root), knowing its tree. */
  @Override
  public Node load(long block, Node parent) {
    Node node = store.parking().load(block);
    if (node == null) {
      node = NodeReader.read(file, block);
      node.diskStamp = store.stamps.next();
      counters.nodesRead.increment();
    } // else parked: decoded from memory, dirty
    try {
      owners.adopt(node, parent);
    } catch (RuntimeException | Error e) {
      abandoned(node); // never published: a parked image it took goes back
      throw e;
    }
    return node;
  }

  @Override
  public void writeBack(Node node) {
    store.writeNode(node);
  }

  /** A dirty internal node is parked off-heap instead of written ({@link ParkedNodes}). */
  @Override
  public boolean park(Node node) {
    return store.parking().park(node);
  }

  @Override
  public void cancelPark(Node node) {
    store.parking().cancel(node);
  }

  @Override
  public void entered(Node node) {
    store.parking().entered(node);
  }

  @Override
  public void abandoned(Node node) {
    store.parking().abandoned(node);
  }

  /**
   * A node that left the cache whole gives its buffers' blocks back to the {@link BlockPool} (an
   * internal node's buffers, a leaf's delta segments read into memory): the next node decoded from
   * a parked image, or the next flush, takes them. Nobody else reaches them: the clock calls this
   * with the node out of the map, marked evicted, under its write latch and only pin (docs/
   * design.md, "Pooled arrays: who may still hold one"); {@link #shrink} gives back what it drops
   * for the same reason.
   */
  @Override
  public void left(Node node) {
    if (node.height > 0 && node.buffers != null) {
      for (MessageBuffer b : node.buffers) {
        if (b != null) {
          b.clear();
        }
      }
    }
    if (node.height == 0 && node.segments != null) {
      for (DeltaSegment s : node.segments) {
        if (s.buf != null) {
          s.buf.clear(); // written: its block holds it
        }
      }
    }
  }

  /**
   * A clean node drops the partitions in memory that no reader used since the last pass
   * (basements of a leaf, buffers of an internal node: they can be fetched again one by one) and
   * unmarks the used ones; the shell with its pivots, children and partition directory stays. For
   * that the node needs a directory, which it has once it has been read or written.
   */
  @Override
  public Shrink shrink(Node node) {
    if (node.isDirty() || node.disk == null) {
      return Shrink.NOTHING;
    }
    int dropped = 0;
    int kept = 0;
    Object[] parts = node.height == 0 ? node.basements : node.buffers; // one array, as Node#loaded reads it
    for (int i = 0; i < node.n; i++) {
      if (parts[i] == null) {
        continue;
      }
      if (node.takeUsed(i)) {
        kept++;
      } else {
        if (node.height > 0) {
          ((MessageBuffer) parts[i]).clear(); // nobody reaches it but through the node: see left
        }
        parts[i] = null;
        dropped++;
      }
    }
    DeltaSegment[] segs = node.height == 0 ? node.segments : null;
    if (segs != null) {
      for (DeltaSegment s : segs) {
        if (s.buf == null) {
          continue;
        }
        if (s.used) {
          s.used = false;
          kept++;
        } else {
          s.buf.clear(); // immutable and written: its block holds it (its blocks go back: see left)
          s.buf = null;
          dropped++;
        }
      }
    }
    counters.partitionEvictions.add(dropped);
    return dropped > 0 ? Shrink.SHRUNK : kept > 0 ? Shrink.IN_USE : Shrink.NOTHING;
  }

  /** Internal nodes: their buffers absorb messages between flushes (see the {@code Clock}). */
  @Override
  public boolean favoured(Node node) {
    return node.height > 0;
  }

  /** Nodes above the parents of leaves: few (one in {@code fanout} of the internal nodes), on every root flush's path. */
  @Override
  public boolean backbone(Node node) {
    return node.height > 1;
  }

  @Override
  public boolean holdsParts(Node node) {
    return node.disk != null && node.residentParts();
  }
}
