package dev.sapwood.internal.view;

import dev.sapwood.Cursor;
import dev.sapwood.Tree;
import java.util.function.Predicate;

/**
 * Finds entries of a tree within {@link Bounds}, in ascending terms: the lowest or highest entry,
 * and the nearest one to a key going up or down. Each call reads the tree through a cursor of its
 * own and closes it before returning, so it holds nothing between calls.
 */
final class RangeNavigator {
  private final Tree tree;
  private final Bounds bounds;

  RangeNavigator(Tree tree, Bounds bounds) {
    this.tree = tree;
    this.bounds = bounds;
  }

  /**
   * Moves {@code c} to the nearest entry to {@code k} going up (key >= k, or > k when not {@code
   * incl}) or down (key <= k, or < k); a null {@code k}: the first or last entry of the tree. False
   * when there is none. Bounds are not applied.
   */
  static boolean seek(Cursor c, byte[] k, boolean incl, boolean up) {
    if (k == null) {
      return up ? c.first() : c.last();
    }
    if (!up) {
      return c.seek(k) ? incl && Bounds.cmp(c.key(), k) == 0 || c.prev() : c.last();
    }
    boolean ok = c.seek(k);
    return ok && !incl && Bounds.cmp(c.key(), k) == 0 ? c.next() : ok;
  }

  /** Moves {@code c} to the first entry of {@code b} going up or down; its far end is not checked. */
  static boolean seekEdge(Cursor c, Bounds b, boolean up) {
    return up ? seek(c, b.lo(), b.loIncl(), true) : seek(c, b.hi(), b.hiIncl(), false);
  }

  /** The first entry of the range going up (its lowest) or down (its highest); null if empty. */
  Raw edge(boolean up) {
    return read(c -> seekEdge(c, bounds, up), up);
  }

  /**
   * The nearest entry of the range to {@code k} going up (ceiling, or higher when not {@code incl})
   * or down (floor, or lower); null if none. A key short of the range starts at its edge.
   */
  Raw near(byte[] k, boolean up, boolean incl) {
    return bounds.beyond(k, !up) ? edge(up) : read(c -> seek(c, k, incl, up), up);
  }

  /** The entry a fresh cursor is moved to, null if none or past the range's end going up or down. */
  private Raw read(Predicate<Cursor> position, boolean up) {
    Raw r;
    try (Cursor c = tree.cursor()) {
      r = position.test(c) ? new Raw(c.key(), c.value()) : null;
    }
    return r == null || bounds.beyond(r.key(), up) ? null : r;
  }
}
