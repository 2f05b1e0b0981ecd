package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.FrameCache;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How the tree names its frames in the off-heap tier ({@link FrameCache}) and puts written ones
 * there.
 *
 * <p>A frame's key is its directory's {@link PartitionDirectory#frameOwner} and its frame number,
 * not its place in the file. Block extents are copy-on-write: a node written again goes to a new
 * extent, the old one is freed at the next checkpoint and later reused for other bytes, and a
 * block number freed is handed out again. A frame cached by its file offset (or its block number)
 * would then be served for bytes it no longer is: a wrong answer. A directory instead describes
 * one image of a node, made once (by the write that produced it, or the read of its header) and
 * never changed; owners come from one process-wide counter and are never reused, so a key can
 * only ever name the bytes it was put with. What this costs: a node's header read again (its shell
 * evicted) names its frames anew, and the tier's copies under the old owner age out unused.
 *
 * <p>Invariants: keys are non-negative and unique per (directory, frame); a frame number too large
 * for a key is simply not cached ({@link #key} returns -1).
 */
final class FrameTier {
  private FrameTier() {}

  /** Frame numbers take the low bits of a key; owners the rest. */
  private static final int FRAME_BITS = 24;

  private static final AtomicLong OWNERS = new AtomicLong(1);

  static long newOwner() {
    return OWNERS.getAndIncrement();
  }

  /** The key of frame {@code f} of {@code dir}, or -1 if it cannot be named (not cached). */
  static long key(PartitionDirectory dir, int f) {
    long owner = dir.frameOwner;
    if (f < 0 || f >= 1 << FRAME_BITS || owner >= 1L << (63 - FRAME_BITS)) {
      return -1;
    }
    return owner << FRAME_BITS | f;
  }

  /** Puts every frame of a node image just written ({@code block}, described by {@code dir}). */
  static void putWritten(FrameCache tier, PartitionDirectory dir, byte[] block) {
    if (tier == null || dir.partitions() == 0) {
      return;
    }
    int frames = dir.frameEnd(dir.partitions() - 1);
    for (int f = 0; f < frames; f++) {
      long key = key(dir, f);
      if (key >= 0) {
        tier.put(key, block, dir.frameOffset(f), dir.frameCompressed(f));
      }
    }
  }
}
