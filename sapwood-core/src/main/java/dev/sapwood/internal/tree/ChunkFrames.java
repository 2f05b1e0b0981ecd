package dev.sapwood.internal.tree;

/**
 * Which frames of a basement that is not resident a forward chunk read takes: the frame that can
 * hold its first key and as many after it as hold about the chunk's limit of entries (by the
 * basement's mean entries per frame), so a seek decodes a frame or two instead of a whole
 * basement. The chunk then ends where the next frame begins (its first key), or at the basement's
 * end when the span reaches it.
 */
final class ChunkFrames {
  private ChunkFrames() {}

  /**
   * The frames {@code [first, end)} of basement {@code i} of {@code d} for a chunk of at most
   * {@code limit} entries from {@code from}, as {@code first << 32 | end}: from the last frame whose
   * first key is at most {@code from} (the basement's first frame if every frame starts above it),
   * one frame more than the limit's entries fill on average (entries of the first frame below
   * {@code from} are not returned).
   */
  static long span(PartitionDirectory d, int i, byte[] from, int limit) {
    int lo = d.firstFrame(i);
    int hi = d.frameEnd(i);
    long at = d.pointFramesFor(i, from, true);
    int first = (int) (at >>> 32) == (int) at ? lo : (int) (at >>> 32);
    int frames = hi - lo;
    long perFrame = Math.max(1, d.count(i) / Math.max(1, frames));
    long want = 1 + (limit + perFrame - 1) / perFrame;
    int end = (int) Math.min(hi, first + want);
    return ((long) first << 32) | end;
  }
}
