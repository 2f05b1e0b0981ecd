package dev.sapwood.internal.tree;

import static dev.sapwood.internal.tree.MessageBufferTest.str;

/**
 * Walks a whole tree from its root with read pins and checks the invariants of {@link Node}:
 * pivots strictly ascending and inside the range the ancestors allow, child height = parent
 * height - 1, every buffered message inside its partition's range, basement entries strictly
 * ascending and inside their partition's range. Basements not in memory are read from disk
 * without being installed. Test helper; the caller makes sure no writer runs meanwhile.
 */
final class TreeVerifier {
  /** What a walk saw. */
  static final class Stats {
    int nodes;
    /** Delta blocks: each leaf's delta index and each of its segments (each one more block in use). */
    int deltas;
    /** Messages in leaves' deltas (also counted in {@code messages}). */
    long deltaMessages;
    int leaves;
    int height;
    long entries;
    long messages;
    int basements;
    /** The most message bytes any one internal node buffers. */
    long maxBufferedBytes;
    /** The most entry bytes any one leaf holds. */
    long maxLeafBytes;
    /** Leaves larger than the node size that hold more than one entry (a split would fix them). */
    int crowdedOversizedLeaves;
    /** The most pivot bytes any one internal node holds. */
    long maxPivotBytes;

    @Override
    public String toString() {
      return "nodes=" + nodes + " deltas=" + deltas + " leaves=" + leaves + " height=" + height + " entries=" + entries
          + " messages=" + messages + " basements=" + basements + " maxBufferedBytes=" + maxBufferedBytes + " maxLeafBytes=" + maxLeafBytes
          + " crowdedOversizedLeaves=" + crowdedOversizedLeaves + " maxPivotBytes=" + maxPivotBytes;
    }
  }

  private TreeVerifier() {}

  static Stats verify(TreeContext ctx, long root) {
    Stats s = new Stats();
    Node r = ctx.cache.pinRead(root);
    int h;
    try {
      h = r.height;
    } finally {
      ctx.cache.unpinRead(r);
    }
    s.height = h;
    walk(ctx, root, null, null, null, h, "root " + root, s);
    return s;
  }

  private static void check(boolean ok, String where, String what) {
    if (!ok) {
      throw new AssertionError(where + ": " + what);
    }
  }

  /** Whether lo <= k < hi (null bounds are infinite). */
  private static boolean inRange(byte[] k, byte[] lo, byte[] hi) {
    return (lo == null || Keys.compare(k, lo) >= 0) && (hi == null || Keys.compare(k, hi) < 0);
  }

  /** Checks the node of {@code block}, reached through {@code parent} (null: the root), and what lies below it. */
  private static void walk(TreeContext ctx, long block, Node parent, byte[] lo, byte[] hi, int height, String path,
      Stats s) {
    Node node = ctx.cache.pinRead(block, ctx.cache.pins(), parent);
    try {
      String where = path + " (block " + block + ", height " + node.height + ", n " + node.n + ", range ["
          + str(lo) + ", " + str(hi) + "))";
      s.nodes++;
      check(node.versions != null && node.rows != null, where, "cached without its tree's versions store or row count");
      check(parent == null || (node.versions == parent.versions && node.rows == parent.rows), where,
          "its versions store or row count is not its parent's");
      check(node.key() == block, where, "cached under the wrong key " + node.key());
      check(node.height == height, where, "height " + node.height + ", expected " + height);
      check(node.n >= 1, where, "no partitions");
      check(node.pivots.length == node.n - 1, where, node.pivots.length + " pivots for " + node.n + " partitions");
      for (int i = 0; i < node.n - 1; i++) {
        byte[] p = node.pivots[i];
        check(inRange(p, lo, hi), where, "pivot " + i + " " + str(p) + " outside the node's range");
        if (i > 0) {
          check(Keys.compare(node.pivots[i - 1], p) < 0, where, "pivots " + (i - 1) + " and " + i + " not strictly ascending: "
              + str(node.pivots[i - 1]) + " / " + str(p));
        }
      }
      if (node.height > 0) {
        s.maxBufferedBytes = Math.max(s.maxBufferedBytes, node.bytes());
        long pivotBytes = 0;
        for (byte[] p : node.pivots) {
          pivotBytes += p.length + 2;
        }
        s.maxPivotBytes = Math.max(s.maxPivotBytes, pivotBytes);
      }
      long leafEntries = 0;
      for (int i = 0; i < node.n; i++) {
        byte[] plo = Keys.maxLow(lo, node.lowerBound(i));
        byte[] phi = Keys.minHigh(hi, node.upperBound(i));
        if (node.height > 0) {
          check(node.children.length == node.n && node.buffers.length == node.n, where, "array sizes");
          MessageBuffer buf = node.buffers[i];
          if (buf == null) {
            check(node.disk != null, where, "buffer " + i + " neither in memory nor on disk");
            buf = PartitionReader.readBuffer(ctx.file, block, node.disk, i);
          }
          for (int m = 0; m < buf.pointCount(); m++) {
            int rec = buf.point(m);
            byte[] k = buf.copyKey(rec);
            check(inRange(k, plo, phi), where, "buffer " + i + " holds message for " + str(k) + " outside ["
                + str(plo) + ", " + str(phi) + ")");
            if (m > 0) {
              int prev = buf.point(m - 1);
              int c = Keys.compare(buf.copyKey(prev), k);
              check(c < 0 || (c == 0 && buf.msn(prev) < buf.msn(rec)), where, "buffer " + i + " not sorted by (key, msn) at " + m);
            }
            s.messages++;
          }
          for (int m = 0; m < buf.rangeCount(); m++) {
            int rec = buf.range(m);
            check(buf.rangeOverlaps(rec, plo, phi), where, "buffer " + i + " holds range message ["
                + str(buf.copyKey(rec)) + ", " + str(buf.copyValue(rec)) + ") not overlapping the partition");
            s.messages++;
          }
          walk(ctx, node.children[i], node, plo, phi, node.height - 1, path + "/" + i, s);
        } else {
          Basement b = node.basements[i];
          if (b == null) {
            check(node.disk != null, where, "basement " + i + " neither in memory nor on disk");
            b = PartitionReader.readBasement(ctx.file, block, node.disk, i);
          }
          s.basements++;
          for (int e = 0; e < b.count(); e++) {
            byte[] k = b.key(e);
            check(inRange(k, plo, phi), where, "basement " + i + " entry " + str(k) + " outside [" + str(plo) + ", " + str(phi) + ")");
            if (e > 0) {
              check(Keys.compare(b.key(e - 1), k) < 0, where, "basement " + i + " entries not strictly ascending at " + e);
            }
          }
          s.entries += b.count();
          leafEntries += b.count();
        }
      }
      if (node.height == 0 && node.deltaBlock != 0) {
        s.deltas++;
        java.util.List<MessageBuffer> parts = new java.util.ArrayList<>();
        long prevMsn = -1;
        for (DeltaSegment seg : ctx.partitions.deltas.segments(node)) {
          check(seg.legacy() || seg.maxMsn > prevMsn, where, "delta segments not in MSN order");
          if (!seg.legacy()) {
            s.deltas++; // a block of its own besides the index
          }
          prevMsn = seg.maxMsn;
          parts.add(ctx.partitions.deltas.whole(node, seg));
        }
        if (node.delta != null) {
          check(node.deltaDirty, where, "unwritten delta messages on a leaf whose delta is clean");
          parts.add(node.delta);
        }
        for (MessageBuffer d : parts) {
          for (int m = 0; m < d.pointCount(); m++) {
            int rec = d.point(m);
            byte[] k = d.copyKey(rec);
            check(inRange(k, lo, hi), where, "delta holds message for " + str(k) + " outside the leaf's range");
            if (m > 0) {
              int prev = d.point(m - 1);
              int c = Keys.compare(d.copyKey(prev), k);
              check(c < 0 || (c == 0 && d.msn(prev) < d.msn(rec)), where, "delta not sorted by (key, msn) at " + m);
            }
          }
          for (int m = 0; m < d.rangeCount(); m++) {
            check(d.rangeOverlaps(d.range(m), lo, hi), where, "delta holds a range message not overlapping the leaf");
          }
          s.messages += d.pointCount() + d.rangeCount();
          s.deltaMessages += d.pointCount() + d.rangeCount();
        }
      }
      if (node.height == 0) {
        s.leaves++;
        s.maxLeafBytes = Math.max(s.maxLeafBytes, node.bytes());
        if (node.bytes() > ctx.nodeSize && leafEntries > 1) {
          s.crowdedOversizedLeaves++;
        }
      }
    } finally {
      ctx.cache.unpinRead(node);
    }
  }
}
