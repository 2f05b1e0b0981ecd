package dev.sapwood.internal.view;

import dev.sapwood.Cursor;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** Walks a {@link MapView}'s range in its order with one cursor; weakly consistent. */
final class RangeIterator implements Iterator<MapView.Raw> {
  private final MapView<?, ?> view;
  private Cursor cursor;
  private MapView.Raw next;
  private byte[] last;
  private boolean started;

  RangeIterator(MapView<?, ?> view) {
    this.view = view;
  }

  private void advance() {
    boolean ok;
    if (!started) {
      started = true;
      cursor = view.tree().cursor();
      byte[] lo = view.lo();
      byte[] hi = view.hi();
      if (!view.descending()) {
        ok = lo == null ? cursor.first() : cursor.seek(lo);
        if (ok && !view.loIncl() && lo != null && MapView.cmp(cursor.key(), lo) == 0) {
          ok = cursor.next();
        }
      } else if (hi == null) {
        ok = cursor.last();
      } else if (cursor.seek(hi)) {
        ok = view.hiIncl() && MapView.cmp(cursor.key(), hi) == 0 || cursor.prev();
      } else {
        ok = cursor.last();
      }
    } else if (cursor == null) {
      return;
    } else {
      ok = view.descending() ? cursor.prev() : cursor.next();
    }
    next = ok ? new MapView.Raw(cursor.key(), cursor.value()) : null;
    if (next != null && (view.descending() ? view.tooLow(next.key()) : view.tooHigh(next.key()))) {
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
  public MapView.Raw next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    MapView.Raw r = next;
    last = r.key();
    advance();
    return r;
  }

  @Override
  public void remove() {
    if (last == null) {
      throw new IllegalStateException("next() has not been called, or remove() was called already");
    }
    view.tree().delete(last);
    last = null;
  }
}
