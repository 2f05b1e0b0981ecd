package dev.sapwood.internal.tools;

import dev.sapwood.internal.engine.Inspection;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.tree.NodeInspector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The shape of one tree as of the last checkpoint, read from the file: every node with its size,
 * fill and buffered bytes, summed per level, and a key count: the leaf entries, with the newest
 * buffered message for each key (from any node above the leaf, newer than the leaf's basement)
 * applied — a put or update of an absent key adds one, a delete of a present key takes one away.
 * It is exact but for range deletes and update functions that delete, which it does not count.
 * The walk holds the messages buffered above one leaf at a time: memory is bounded by the height
 * times the node size. The diagnostic behind {@code sapwood dump} and {@code sapwood trees}.
 *
 * <p>Damage is not reported here (use {@link Verifier}): the first unreadable block throws its
 * {@link dev.sapwood.CorruptionException}.
 */
public final class TreeShape {
  /**
   * One node.
   *
   * @param path child indexes from the root ("" for the root, "/0/3" for child 3 of child 0)
   * @param offset the block's offset in the file
   * @param blockBytes the block's size on disk (compressed), a leaf's delta block included
   * @param rawBytes partitions' bytes uncompressed: entries of a leaf, messages of an internal node
   * @param bufferedBytes the messages buffered in an internal node; a leaf's delta messages (0 if it has none)
   * @param items entries of a leaf, messages of an internal node
   */
  public record NodeInfo(long block, long offset, String path, int height, int partitions, long maxMsn,
      long blockBytes, long rawBytes, long bufferedBytes, long items) {}

  /** The nodes of one level. */
  public record Level(int height, int nodes, long blockBytes, long rawBytes, long bufferedBytes,
      long items, double minFill, double avgFill, double maxFill) {}

  private final String name;
  private final int nodeSize;
  private final List<NodeInfo> nodes = new ArrayList<>();
  private long keys;

  private TreeShape(String name, int nodeSize) {
    this.name = name;
    this.nodeSize = nodeSize;
  }

  /**
   * Walks tree {@code name} of {@code db}.
   *
   * @throws IllegalArgumentException if there is no such tree
   */
  public static TreeShape of(Inspection db, String name) {
    Long root = db.roots().get(name);
    if (root == null) {
      throw new IllegalArgumentException("no tree named '" + name + "'");
    }
    return of(db.file(), name, root);
  }

  /**
   * Walks the tree rooted at {@code root} in {@code file} as the file holds it now (nodes written
   * since the last checkpoint included); the tree's tests use it on a file they build in memory.
   */
  public static TreeShape of(BlockFile file, String name, long root) {
    TreeShape s = new TreeShape(name, file.header().nodeSize());
    s.walk(file, root, "", new TreeMap<>(Arrays::compareUnsigned));
    return s;
  }

  private void walk(BlockFile file, long block, String path, NavigableMap<byte[], NodeInspector.Message> above) {
    NodeInspector node = NodeInspector.read(file, block);
    long raw = 0;
    long items = 0;
    long deltaBytes = 0;
    long blockBytes = file.blockSize(block);
    if (node.deltaBlock() != 0) {
      // the leaf's delta is one more buffer above its basements
      NavigableMap<byte[], NodeInspector.Message> withDelta = new TreeMap<>(Arrays::compareUnsigned);
      withDelta.putAll(above);
      for (NodeInspector.Message m : node.delta()) {
        if (!m.type().equals("DELETE_RANGE") && !m.type().equals("UPDATE_RANGE")) {
          withDelta.merge(m.key(), m, (a, b) -> a.msn() >= b.msn() ? a : b);
        }
      }
      above = withDelta;
      deltaBytes = node.deltaRawBytes();
      blockBytes += file.blockSize(node.deltaBlock());
      for (NodeInspector.Segment seg : node.deltaSegments()) {
        if (seg.block() != node.deltaBlock()) {
          blockBytes += file.blockSize(seg.block());
        }
      }
    }
    for (int i = 0; i < node.partitions(); i++) {
      raw += node.partition(i).rawLength();
      if (node.height() > 0) {
        items += node.buffer(i).size();
      } else {
        NodeInspector.Basement b = node.basement(i);
        items += b.keys().size();
        keys += b.keys().size() + delta(b, within(above, node, i));
      }
    }
    nodes.add(new NodeInfo(block, file.blockOffset(block), path, node.height(), node.partitions(), node.maxMsn(),
        blockBytes, raw, node.height() > 0 ? raw : deltaBytes, items));
    if (node.height() > 0) {
      for (int i = 0; i < node.partitions(); i++) {
        NavigableMap<byte[], NodeInspector.Message> below = new TreeMap<>(Arrays::compareUnsigned);
        below.putAll(within(above, node, i));
        for (NodeInspector.Message m : node.buffer(i)) {
          if (!m.type().equals("DELETE_RANGE")) {
            below.merge(m.key(), m, (a, b) -> a.msn() >= b.msn() ? a : b);
          }
        }
        walk(file, node.child(i), path + "/" + i, below);
      }
    }
  }

  /** The messages of {@code above} in partition {@code i}'s key range: pivot(i-1) <= key < pivot(i). */
  private static NavigableMap<byte[], NodeInspector.Message> within(NavigableMap<byte[], NodeInspector.Message> above,
      NodeInspector node, int i) {
    NavigableMap<byte[], NodeInspector.Message> m = above;
    if (i > 0) {
      m = m.tailMap(node.pivot(i - 1), true);
    }
    if (i < node.partitions() - 1) {
      m = m.headMap(node.pivot(i), false);
    }
    return m;
  }

  /** Keys the newest messages above a basement add (puts and updates of absent keys) or remove (deletes of present ones). */
  private static long delta(NodeInspector.Basement b, Map<byte[], NodeInspector.Message> above) {
    long d = 0;
    for (NodeInspector.Message m : above.values()) {
      if (m.msn() <= b.maxMsn()) {
        continue; // already applied to the basement
      }
      boolean present = Collections.binarySearch(b.keys(), m.key(), Arrays::compareUnsigned) >= 0;
      if (!present && (m.type().equals("PUT") || m.type().equals("UPDATE"))) {
        d++;
      } else if (present && m.type().equals("DELETE")) {
        d--;
      }
    }
    return d;
  }

  public String name() {
    return name;
  }

  /** Target node size the fill is measured against. */
  public int nodeSize() {
    return nodeSize;
  }

  /** Levels above the leaves (0 for a tree that is one leaf). */
  public int height() {
    return nodes.get(0).height();
  }

  /** Every node, root first, depth first. */
  public List<NodeInfo> nodes() {
    return nodes;
  }

  /** The levels, root first. */
  public List<Level> levels() {
    Map<Integer, List<NodeInfo>> by = new TreeMap<>((a, b) -> Integer.compare(b, a));
    for (NodeInfo n : nodes) {
      by.computeIfAbsent(n.height(), h -> new ArrayList<>()).add(n);
    }
    List<Level> out = new ArrayList<>();
    for (Map.Entry<Integer, List<NodeInfo>> e : by.entrySet()) {
      long block = 0;
      long raw = 0;
      long buffered = 0;
      long items = 0;
      double min = Double.MAX_VALUE;
      double max = 0;
      for (NodeInfo n : e.getValue()) {
        block += n.blockBytes();
        raw += n.rawBytes();
        buffered += n.bufferedBytes();
        items += n.items();
        double fill = fill(n);
        min = Math.min(min, fill);
        max = Math.max(max, fill);
      }
      out.add(new Level(e.getKey(), e.getValue().size(), block, raw, buffered, items, min,
          (double) raw / nodeSize / e.getValue().size(), max));
    }
    return out;
  }

  /** Raw bytes of a node over the target node size. */
  public double fill(NodeInfo n) {
    return (double) n.rawBytes() / nodeSize;
  }

  /** Bytes of all the tree's blocks on disk. */
  public long blockBytes() {
    return nodes.stream().mapToLong(NodeInfo::blockBytes).sum();
  }

  /**
   * The keys in the tree: leaf entries with the newest buffered message of each key applied (see
   * the class comment; range deletes and updates that delete are not counted), at least 0.
   */
  public long approximateKeys() {
    return Math.max(0, keys);
  }
}
