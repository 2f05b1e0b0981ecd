package dev.sapwood.internal.tree;

import java.nio.charset.StandardCharsets;

/**
 * Folding the {@link MessageBuffer}s of two sibling children into one when the children merge,
 * clipping each side's range messages to that side's keys.
 *
 * <p>Invariants: the merged buffer holds every point message of both sides, and for each range
 * message of a side exactly the part of it inside that side's keys, with its MSN. Stateless; the
 * caller holds the parent's write latch.
 */
final class SiblingMerge {
  private SiblingMerge() {}

  /**
   * The buffer of two sibling children merging at separator {@code sep}: every message of {@code
   * left} and {@code right}. Range messages are clipped, the left's to below {@code sep} and the
   * right's to {@code sep} and above: a range message sent to both siblings may already have gone
   * down into one of them, and must not reach that child's keys a second time through the merged
   * buffer (for a range delete that would be harmless, for a range update it applies the function
   * twice). The two halves of one message keep its MSN and cover disjoint keys.
   */
  static MessageBuffer merged(MessageBuffer left, MessageBuffer right, byte[] sep) {
    MessageBuffer out = new MessageBuffer(left.bytes() + right.bytes() + 64);
    out.addSortedRun(left, 0, left.pointCount());
    out.addSortedRun(right, 0, right.pointCount());
    for (int i = 0; i < left.rangeCount(); i++) {
      if (left.rangeOverlaps(left.range(i), null, sep)) {
        addClipped(out, left, left.range(i), null, sep);
      }
    }
    for (int i = 0; i < right.rangeCount(); i++) {
      if (right.rangeOverlaps(right.range(i), sep, null)) {
        addClipped(out, right, right.range(i), sep, null);
      }
    }
    return out;
  }

  /** Adds to {@code dst} range message {@code rec} of {@code src} cut to [lo, hi) (null: that side as it is). */
  private static void addClipped(MessageBuffer dst, MessageBuffer src, int rec, byte[] lo, byte[] hi) {
    byte type = src.type(rec);
    boolean inside = (lo == null || src.compareKey(rec, lo) >= 0) && (hi == null || !src.endAbove(rec, hi, 0, hi.length));
    if (inside) {
      dst.addCopy(src, rec);
      return;
    }
    byte[] start = src.copyKey(rec);
    if (lo != null && Keys.compare(start, lo) < 0) {
      start = lo;
    }
    byte[] end = src.copyRangeEnd(rec);
    if (hi != null && (end == null || Keys.compare(end, hi) > 0)) {
      end = hi;
    }
    byte[] fn = null;
    byte[] value = end;
    if (type == MessageType.UPDATE_RANGE) {
      fn = src.functionName(rec).getBytes(StandardCharsets.UTF_8);
      value = RangeUpdates.encode(end, src.copyRangeArgument(rec));
    }
    dst.add(type, src.msn(rec), start, 0, start.length, value, 0, value.length, fn);
  }
}
