package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.cache.ParkedImages;

/**
 * Parents of leaves that a flush brought into memory to flush into them, parked again as soon as
 * the flush is done (docs/design.md, "A node brought in for a flush leaves after it"). Under a
 * small heap share most of the level above the leaves is parked off-heap: a flush into one of its
 * nodes decodes the whole node from its image, adds one buffer's worth of messages, and the node
 * then waited in the heap cache for the clock to park it again — long enough for a young
 * collection to promote its decoded buffers, which then died in the old generation (most of what
 * filled it at 20M keys). Parked at once, they die young. A node whole in the cache when the flush
 * pinned it is left to the clock (a hot node, or a cache with room for its level).
 *
 * <p>Per thread: a flush notes the nodes it brought in ({@link #note}) and parks them ({@link
 * #park}) where it holds no pin of them; at most {@link #MAX} are noted between two parks (past
 * that they are left to the clock). Parking an idle dirty internal node is always allowed (the
 * clock does it), so a note that outlives its flush (an exception) is harmless.
 */
final class FlushParking {
  /** Nodes noted per thread between two parks, at most. */
  static final int MAX = 64;

  private final TreeContext ctx;
  private final ThreadLocal<long[]> noted = ThreadLocal.withInitial(() -> new long[MAX + 1]);

  FlushParking(TreeContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Notes {@code child}, write-pinned just now for a flush into it, if it is a parent of leaves that
   * was not whole in memory ({@code whole} false) and dirty nodes can be parked at all.
   */
  void note(Node child, boolean whole) {
    if (whole || child.height != 1 || ctx.nodes.parked == null) {
      return;
    }
    long[] n = noted.get();
    int count = (int) n[MAX];
    if (count < MAX) {
      n[count] = child.key();
      n[MAX] = count + 1;
    }
  }

  /**
   * Parks the nodes this thread noted, each if the cache has no room to spare (used beyond three
   * quarters of its budget), the parked memory has room for two nodes without a spill, and it is
   * still cached, dirty and idle; forgets the notes. The caller holds no pin of them (a pinned node
   * is simply left to the clock). A full parked memory is left to the clock: parking one more node
   * there spills the oldest image to the file, a write the heap would have saved (measured: 151
   * spills instead of 4 in a 5M fill, when every such node was parked).
   */
  void park() {
    long[] n = noted.get();
    int count = (int) n[MAX];
    n[MAX] = 0;
    ParkedImages p = ctx.nodes.parked;
    FrameCache tier = ctx.nodes.frames;
    if (p == null || tier == null) {
      return;
    }
    long lendable = (long) tier.maxLent() * tier.slabSize();
    for (int i = 0; i < count; i++) {
      if (lendable - p.figures().imageBytes() < 2L * ctx.nodeSize) {
        return;
      }
      if (!ctx.cache.hasRoom(0) && ctx.cache.parkNow(n[i])) {
        ctx.counters.parkedAfterFlush.increment();
      }
    }
  }
}
