package dev.sapwood.internal.view;

import dev.sapwood.Cursor;
import dev.sapwood.Tree;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Walks a tree's entries within {@link Bounds}, up or down, with one cursor. Weakly consistent: it
 * never throws {@code ConcurrentModificationException}; {@code remove()} deletes the last key
 * returned. The cursor is closed at the end of the range.
 */
final class RangeIterator implements Iterator<Raw> {
  private final Tree tree;
  private final Bounds bounds;
  private final boolean up;
  private Cursor cursor;
  private Raw next;
  private byte[] last;
  private boolean started;

  RangeIterator(Tree tree, Bounds bounds, boolean up) {
    this.tree = tree;
    this.bounds = bounds;
    this.up = up;
  }

  private void advance() {
    boolean ok;
    if (!started) {
      started = true;
      cursor = tree.cursor();
      ok = RangeNavigator.seekEdge(cursor, bounds, up);
    } else if (cursor == null) {
      return;
    } else {
      ok = up ? cursor.next() : cursor.prev();
    }
    next = ok ? new Raw(cursor.key(), cursor.value()) : null;
    if (next != null && bounds.beyond(next.key(), up)) {
      next = null;
    }
    if (next == null) {
      cursor.close();
      cursor = null;
    }
  }

  @Override
  public boolean hasNext() {
    if (!started) {
      advance();
    }
    return next != null;
  }

  @Override
  public Raw next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Raw r = next;
    last = r.key();
    advance();
    return r;
  }

  @Override
  public void remove() {
    if (last == null) {
      throw new IllegalStateException("next() has not been called, or remove() was called already");
    }
    tree.delete(last);
    last = null;
  }
}
