package dev.sapwood.internal.tree;

import dev.sapwood.internal.util.ListArrays;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies a flushed buffer to a leaf: the merge pass that rebuilds each basement the buffer's
 * messages touch ({@link MessageApplier} into a {@link BasementBuilder}), splits a basement that
 * outgrew its size and drops empty ones. The caller ({@link Flusher}, or {@link LeafDeltas} when
 * it consolidates a delta) holds the leaf's write latch with its partitions in memory.
 */
final class LeafMerge {
  private LeafMerge() {}

  /**
   * Whether every message of {@code buf} is a point message whose key is above every key of
   * {@code leaf} (its partitions in memory): the leaf grows only at its end, as under an ascending
   * load. Reads the smallest buffered key and the leaf's largest; allocates nothing.
   */
  static boolean appendsAtEnd(Node leaf, MessageBuffer buf) {
    if (buf.rangeCount() > 0 || buf.pointCount() == 0) {
      return false;
    }
    int first = buf.point(0);
    for (int i = leaf.n - 1; i >= 0; i--) {
      Basement b = leaf.basements[i];
      if (b.count() > 0) {
        int last = b.count() - 1;
        return Keys.compare(buf.arena(first), buf.keyOff(first), buf.keyLen(first), b.arena(), b.keyOff(last), b.keyLen(last)) > 0;
      }
    }
    return true;
  }

  /**
   * Merges {@code buf} into the leaf's basements: each basement that any message touches is
   * rebuilt by one merge pass, split if it outgrew the basement size; empty basements are dropped.
   */
  static void apply(TreeContext ctx, Node leaf, MessageBuffer buf) {
    ctx.partitions.prepareChange(leaf);
    MessageApplier applier = ctx.newApplier();
    long[] live = ctx.snapshots.live(); // after the messages are held: see SnapshotRegistry
    if (live.length > 0) {
      applier.recordingInto(leaf.versions, live); // never null: a node is published with it (NodeOwners)
    }
    List<Basement> outB = new ArrayList<>(leaf.n + 4);
    List<byte[]> outP = new ArrayList<>(leaf.n + 4);
    long rowDelta = 0;
    int basementsBefore = leaf.n;
    long leafBytesBefore = leaf.bytes();
    int rebuilt = 0;
    for (int i = 0; i < leaf.n; i++) {
      Basement b = leaf.basements[i];
      byte[] lo = leaf.lowerBound(i);
      byte[] hi = leaf.upperBound(i);
      int mFrom = buf.lowerBound(lo);
      int mTo = buf.lowerBoundOrEnd(hi);
      long runMax = runMaxMsn(buf, mFrom, mTo, lo, hi);
      if (i > 0) {
        outP.add(leaf.pivots[i - 1]);
      }
      if (runMax <= b.maxMsn()) {
        outB.add(b);
        continue;
      }
      rebuilt++;
      int runBytes = 0;
      for (int m = mFrom; m < mTo; m++) {
        runBytes += buf.recordSize(buf.point(m));
      }
      BasementBuilder builder = new BasementBuilder(ctx.basementSize, b.bytes() + runBytes, runMax);
      applier.apply(b, 0, b.count(), buf, mFrom, mTo, lo, hi, b.maxMsn(), builder);
      List<Basement> pieces = builder.finish();
      rowDelta -= b.count();
      for (int p = 0; p < pieces.size(); p++) {
        if (p > 0) {
          outP.add(pieces.get(p).key(0));
        }
        outB.add(pieces.get(p));
        rowDelta += pieces.get(p).count();
      }
    }
    dropEmpty(outB, outP);
    // Not ArrayList.toArray: a speculated type check C2's code shares with every caller (ListArrays).
    leaf.setLeaf(ListArrays.copy(outP, new byte[outP.size()][]), ListArrays.copy(outB, new Basement[outB.size()]));
    leaf.rows.add(rowDelta); // what the merge knew: which keys existed before and after
    leaf.maxMsn = Math.max(leaf.maxMsn, buf.maxMsn());
    ctx.counters.leafFlush(buf.bytes(), leafBytesBefore, basementsBefore, rebuilt);
    ctx.deltas.afterApply(leaf);
  }

  /** Highest MSN among the run's point messages and the range messages overlapping [lo, hi). */
  private static long runMaxMsn(MessageBuffer buf, int from, int to, byte[] lo, byte[] hi) {
    long max = 0;
    for (int m = from; m < to; m++) {
      max = Math.max(max, buf.msn(buf.point(m)));
    }
    for (int r = 0; r < buf.rangeCount(); r++) {
      int rec = buf.range(r);
      if (buf.rangeOverlaps(rec, lo, hi)) {
        max = Math.max(max, buf.msn(rec));
      }
    }
    return max;
  }

  /**
   * Removes empty basements (keeping at least one), each with one adjacent pivot, so that a
   * neighbour takes over the empty basement's key range — but only a neighbour whose max MSN is
   * not above the empty one's; an empty basement with no such neighbour stays.
   *
   * <p>Why: readers and flushes skip every message at or below a basement's max MSN as already
   * applied ({@link MessageApplier}). Messages still buffered above the empty basement's range
   * are newer than its own max MSN, not necessarily than its neighbour's: after a leaf just
   * flushed merges with an empty sibling whose parent buffer still holds older messages, the
   * flushed basement's MSN is above them. Had it taken over the range, those messages would be
   * skipped by every read and every later flush: keys silently missing from scans and gets. A
   * neighbour with a lower max MSN skips none of them (it applied nothing newer).
   */
  static void dropEmpty(List<Basement> basements, List<byte[]> pivots) {
    for (int i = basements.size() - 1; i >= 0 && basements.size() > 1; i--) {
      Basement b = basements.get(i);
      if (b.count() != 0) {
        continue;
      }
      if (i > 0 && basements.get(i - 1).maxMsn() <= b.maxMsn()) {
        basements.remove(i);
        pivots.remove(i - 1); // the left neighbour extends up over the range
      } else if (i + 1 < basements.size() && basements.get(i + 1).maxMsn() <= b.maxMsn()) {
        basements.remove(i);
        pivots.remove(i); // the right neighbour extends down over the range
      }
    }
  }
}
