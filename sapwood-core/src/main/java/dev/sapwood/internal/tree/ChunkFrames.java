package dev.sapwood.internal.tree;

/**
 * Which frames of a basement that is not resident a chunk read takes: going forward, the frame
 * that can hold its first key and as many after it as hold about the chunk's limit of entries (by
 * the basement's mean entries per frame), so a seek decodes a frame or two instead of a whole
 * basement; going backward, the frames below its bound, as many as hold about its limit. The chunk
 * then ends where the next frame begins (its first key), or at the basement's end when the span
 * reaches it (backward: starts at its first frame's first key, or the basement's start).
 */
final class ChunkFrames {
  private ChunkFrames() {}

  /**
   * The frames {@code [first, end)} of basement {@code i} of {@code d} for a chunk of at most
   * {@code limit} entries from {@code from}, as {@code first << 32 | end}: from the last frame whose
   * first key is at most {@code from} (the basement's first frame if every frame starts above it),
   * one frame more than the limit's entries fill on average (entries of the first frame below
   * {@code from} are not returned) — or that frame alone, when where {@code from} lies between its
   * first key and the next frame's ({@link PartitionDirectory#positionInFrame}) says the rest of it
   * holds about the limit's entries.
   */
  static long span(PartitionDirectory d, int i, byte[] from, int limit) {
    int lo = d.firstFrame(i);
    int hi = d.frameEnd(i);
    long at = d.pointFramesFor(i, from, true);
    int first = (int) (at >>> 32) == (int) at ? lo : (int) (at >>> 32);
    long perFrame = perFrame(d, i);
    long want = framesFor(limit, perFrame);
    if (first + 1 < hi && limit < perFrame) {
      // The first frame alone when, by where from lies between its first key and the next frame's,
      // the rest of it holds the limit: a seek's first chunk then decodes one frame, not two.
      double left = (1 - d.positionInFrame(first, from)) * perFrame;
      if (left >= limit) {
        want = 1;
      }
    }
    int end = (int) Math.min(hi, first + want);
    return ((long) first << 32) | end;
  }

  /**
   * The frames {@code [first, end)} of basement {@code i} of {@code d} for a backward chunk of about
   * {@code limit} entries below {@code to} (exclusive; null: the basement's end), as {@code first << 32
   * | end}: up to the last frame whose first key is below {@code to}, and back one frame more than
   * the limit's entries fill on average (entries of the last frame at or above {@code to} are not
   * returned). Empty ({@code first == end}) only when every frame starts at or above {@code to}.
   */
  static long spanBefore(PartitionDirectory d, int i, byte[] to, int limit) {
    int lo = d.firstFrame(i);
    int hi = d.frameEnd(i);
    int end = hi;
    if (to != null) {
      int a = lo;
      int b = hi;
      while (a < b) { // the first frame whose first key is at or above to
        int m = (a + b) >>> 1;
        if (d.compareFirstKey(m, to) < 0) {
          a = m + 1;
        } else {
          b = m;
        }
      }
      end = a;
    }
    long want = framesFor(limit, perFrame(d, i));
    int first = (int) Math.max(lo, end - want);
    return ((long) first << 32) | end;
  }

  /** Basement {@code i}'s mean entries per frame (at least 1). */
  private static long perFrame(PartitionDirectory d, int i) {
    return Math.max(1, d.count(i) / Math.max(1, d.frameEnd(i) - d.firstFrame(i)));
  }

  /** Frames a chunk of {@code limit} entries takes: one more than the limit fills on average. */
  private static long framesFor(int limit, long perFrame) {
    return 1 + (limit + perFrame - 1) / perFrame;
  }
}
