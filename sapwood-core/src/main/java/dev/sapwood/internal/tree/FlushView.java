package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.CacheTable;
import dev.sapwood.internal.cache.Pins;

/**
 * What a reader sees of a leaf while a flush rebuilds its basements: the leaf as it was before the
 * flush (its pivots and basements) and the messages being flushed into it (the buffer detached
 * from the parent). Readers read it without the leaf's latch, so a flush that let go of the parent
 * ({@code Flusher.flushReleasingParent}) no longer keeps the readers of its leaf waiting while it
 * rebuilds every basement its messages touch (TokuFT's readers wait there): the new basements are
 * built beside the old ones and swapped in.
 *
 * <p>The protocol (the flusher's side in {@code Flusher.flushReleasingParent}, the reader's in
 * {@link #pinLeafRead} and {@link TreeReader}):
 * <ol>
 *   <li>With the parent and the leaf write-latched, the flusher readies the leaf ({@code
 *       Partitions.prepareChange}: every basement resident, the checkpoint's image written), detaches
 *       the parent's buffer {@code B} for the leaf, and lets the parent go.
 *   <li>Still holding the leaf's write latch, it publishes {@code leaf.view = (pivots, basements,
 *       B)} — the leaf's state before the flush and the messages not yet in it — then builds the
 *       new basements from the old ones and {@code B} without changing anything the view holds.
 *   <li>It installs the new basements ({@code Node.setLeaf}: the swap), clears {@code leaf.view},
 *       and only then lets the leaf's write latch go.
 *   <li>A reader bound for a leaf pins it and tries its read latch; while the latch is held by a
 *       writer and the leaf has a view, the reader takes the view (one volatile read, kept for the
 *       whole read) and reads it with the leaf pinned but not latched: the basement of its key,
 *       with the messages of {@code B} for its key applied beside those it collected above.
 * </ol>
 *
 * <p>Why every message is applied exactly once: a reader pins the leaf while it holds the
 * parent's read latch (coupling), and the flusher detaches {@code B} under the parent's write
 * latch and write-latches the leaf while it holds the parent's (parent before child). So a reader
 * that took the parent's read latch before the detach keeps the flush out of the parent until it
 * has the leaf: it finds the leaf unchanged (no view of this flush can exist yet), collected
 * {@code B} in the parent and reads the old basements. A view this reader meets is one published
 * by a flush whose detach came before the reader's parent latch: that reader found the parent
 * without {@code B} (only messages newer than {@code B}'s) and gets {@code B} from the view, with
 * the basements that held everything flushed before. A reader latching the leaf after the swap
 * sees the new basements, which hold {@code B}, and a parent without it. Within a basement, its
 * max MSN still skips what it already holds; a reader applies what it collected and {@code B} in
 * (key, MSN) order ({@link MessageBuffer} keeps a collection sorted).
 *
 * <p>Invariants: a leaf's {@code view} is non-null only while a flush holds the leaf's write
 * latch, and is set and cleared under it; everything a view refers to is immutable while it is
 * published (basements always are; {@code B} is detached and only read by the build; pivot
 * arrays are replaced, never changed); a view belongs to a leaf (height 0), reached through a
 * parent of height 1. Writers, eviction and the checkpoint never use views: they still take the
 * write latch and are excluded by the flush as before.
 */
final class FlushView {
  /** How long a reader waits on a write-latched leaf before looking for a view again. */
  private static final long RETRY_NANOS = 50_000;

  final byte[][] pivots;
  final Basement[] basements;
  /** The messages being flushed into the leaf, detached from its parent. */
  final MessageBuffer incoming;

  FlushView(byte[][] pivots, Basement[] basements, MessageBuffer incoming) {
    this.pivots = pivots;
    this.basements = basements;
    this.incoming = incoming;
  }

  /** Basement index holding {@code key} in the leaf as the view shows it. */
  int partitionFor(byte[] key) {
    return Keys.childFor(pivots, basements.length - 1, key);
  }

  /** Basement index holding the largest key below {@code key} (null: the last). */
  int partitionBefore(byte[] key) {
    return Keys.childBefore(pivots, basements.length - 1, key);
  }

  byte[] lowerBound(int i) {
    return i == 0 ? null : pivots[i - 1];
  }

  byte[] upperBound(int i) {
    return i == basements.length - 1 ? null : pivots[i];
  }

  /** A leaf pinned for reading: read-latched ({@code view} null), or pinned beside a flush. */
  record PinnedLeaf(Node node, FlushView view) {
    /** Releases the pin (and the read latch, if it was taken); {@code pins}: this thread's. */
    void unpin(CacheTable<Node> cache, Pins pins) {
      if (view == null) {
        cache.unpinRead(node, pins);
      } else {
        cache.unpinUnlatched(node, pins);
      }
    }
  }

  /**
   * Pins leaf child {@code c} of read-latched {@code parent} (height 1) for reading: read-latched,
   * or, while a flush holds its write latch and has published a view, unlatched with that view;
   * {@code pins}: the calling thread's ({@link CacheTable#pins()}).
   */
  static PinnedLeaf pinLeafRead(TreeContext ctx, Node parent, int c, Pins pins) {
    CacheTable<Node> cache = ctx.cache;
    Node leaf = cache.pinUnlatched(parent.children[c], pins, parent);
    while (!cache.tryReadLatch(leaf, 0, pins)) {
      FlushView v = leaf.view;
      if (v != null) {
        ctx.counters.readsBesideFlush.increment();
        return new PinnedLeaf(leaf, v);
      }
      // Held by a writer that publishes no view (eviction, a checkpoint write, a flush not yet
      // past its detach): wait a little for the latch, then look for a view again.
      if (cache.tryReadLatch(leaf, RETRY_NANOS, pins)) {
        break;
      }
    }
    return new PinnedLeaf(ctx.checkChild(parent, c, leaf, false), null);
  }
}
