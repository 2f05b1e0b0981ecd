package dev.sapwood.internal.tree;

/**
 * What a {@link Node} weighs, in the two measures the engine uses: its logical bytes (the messages
 * or entries it holds plus its pivots, as laid out on disk before compression: what the shape
 * rules split and merge by and what a write-back is sized by) and its heap bytes (what the cache
 * accounts for it while it is resident).
 *
 * <p>Contract: every method reads the node's fields and changes nothing. The logical sizes count a
 * partition that is not in memory by the raw length its {@link PartitionDirectory} records (a
 * dirty node has every partition in memory, so only a clean node has such partitions); callers
 * hold the node's latch. {@link #memoryBytes} is also called by the cache as it unpins, and {@link
 * #residentParts} by the cache's clock without the latch: they read each partition and volatile
 * field once, so a partition loaded or dropped meanwhile makes the result a hint, never an error.
 */
final class NodeSizes {
  private NodeSizes() {}

  /** Bytes of buffered messages (internal) or of entries (leaf; on-disk partitions by raw size), plus pivots. */
  static long bytes(Node node) {
    return (node.height > 0 ? bufferBytes(node) : basementBytes(node)) + pivotBytes(node);
  }

  /**
   * Bytes of a leaf's entries (on-disk partitions by raw size). A node with no directory (never
   * written) has every basement in memory: its loop reads no directory, since C2 hoists the checks
   * of the directory's read out of the loop (loop predication) and they fail where it is null.
   */
  private static long basementBytes(Node node) {
    Basement[] basements = node.basements;
    int n = node.n;
    PartitionDirectory disk = node.disk;
    long total = 0;
    if (disk == null) {
      for (int i = 0; i < n; i++) {
        total += basements[i].bytes();
      }
      return total;
    }
    for (int i = 0; i < n; i++) {
      Basement b = basements[i];
      total += b != null ? b.bytes() : disk.rawLength(i);
    }
    return total;
  }

  /** Bytes of pivots as laid out in the node's header (length u16 and key each). */
  static long pivotBytes(Node node) {
    long total = 0;
    for (int i = 0; i < node.n - 1; i++) {
      total += node.pivots[i].length + 2;
    }
    return total;
  }

  /** Bytes of buffer {@code i} of a latched internal node (on disk: its raw size). */
  static long bufferBytes(Node node, int i) {
    MessageBuffer b = node.buffers[i];
    return b != null ? b.bytes() : node.disk.rawLength(i);
  }

  /** Bytes of buffered messages of an internal node (on-disk partitions by raw size). */
  static long bufferBytes(Node node) {
    MessageBuffer[] buffers = node.buffers;
    int n = node.n;
    PartitionDirectory disk = node.disk;
    long total = 0;
    if (disk == null) { // never written: every buffer in memory (as basementBytes)
      for (int i = 0; i < n; i++) {
        total += buffers[i].bytes();
      }
      return total;
    }
    for (int i = 0; i < n; i++) {
      MessageBuffer b = buffers[i];
      total += b != null ? b.bytes() : disk.rawLength(i);
    }
    return total;
  }

  /**
   * Heap bytes the node holds: its object and arrays, pivots, the partitions in memory, a leaf's
   * unwritten delta and its segments (their metadata, and their messages when loaded), and the
   * partition directory.
   */
  static long memoryBytes(Node node) {
    int n = node.n;
    long total = 96L + 8L * n;
    for (int i = 0; i < n - 1; i++) {
      total += 16 + node.pivots[i].length;
    }
    if (node.height > 0) {
      total += 8L * n;
      for (int i = 0; i < n; i++) {
        MessageBuffer b = node.buffers[i];
        if (b != null) {
          total += b.memoryBytes();
        }
      }
    } else {
      for (int i = 0; i < n; i++) {
        Basement b = node.basements[i];
        if (b != null) {
          total += b.memoryBytes();
        }
      }
      MessageBuffer d = node.delta;
      if (d != null) {
        total += d.memoryBytes();
      }
      DeltaSegment[] segs = node.segments;
      if (segs != null) {
        for (DeltaSegment s : segs) {
          MessageBuffer sb = s.buf;
          total += s.metaBytes() + (sb != null ? sb.memoryBytes() : 0);
        }
      }
    }
    PartitionDirectory disk = node.disk;
    if (disk != null) {
      total += disk.memoryBytes();
    }
    return total;
  }

  /** Whether any partition, or a leaf's delta, is in memory (read racily by the cache's clock: a hint). */
  static boolean residentParts(Node node) {
    if (node.height == 0 && node.deltaBlock != 0) {
      if (node.delta != null) {
        return true;
      }
      DeltaSegment[] segs = node.segments;
      if (segs != null) {
        for (DeltaSegment s : segs) {
          if (s.buf != null) {
            return true;
          }
        }
      }
    }
    Object[] parts = node.height == 0 ? node.basements : node.buffers;
    if (parts == null) {
      return false;
    }
    for (Object p : parts) {
      if (p != null) {
        return true;
      }
    }
    return false;
  }
}
