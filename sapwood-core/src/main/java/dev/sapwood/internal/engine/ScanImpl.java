package dev.sapwood.internal.engine;

import dev.sapwood.Cursor;
import dev.sapwood.Entry;
import dev.sapwood.KeyRange;
import dev.sapwood.Scan;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * {@link dev.sapwood.Tree#scan}: each iterator walks its own bounded cursor ({@link
 * TreeImpl#cursor(KeyRange)}), one entry ahead at most. Cursors hold nothing between calls, so
 * closing the scan only has to stop its iterators. Not thread-safe.
 *
 * <p>Invariants: once {@code closed}, no iterator reads the tree again.
 */
final class ScanImpl implements Scan {
  private final TreeImpl tree;
  private final KeyRange range;
  private boolean closed;

  ScanImpl(TreeImpl tree, KeyRange range) {
    this.tree = tree;
    this.range = range;
  }

  @Override
  public Iterator<Entry> iterator() {
    checkOpen();
    return new Entries(tree.cursor(range));
  }

  @Override
  public Stream<Entry> stream() {
    checkOpen();
    Spliterator<Entry> s = Spliterators.spliteratorUnknownSize(iterator(),
        Spliterator.ORDERED | Spliterator.DISTINCT | Spliterator.NONNULL);
    return StreamSupport.stream(s, false).onClose(this::close);
  }

  @Override
  public void close() {
    closed = true;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("scan is closed");
    }
  }

  @Override
  public String toString() {
    return "Scan[" + tree.name() + ", " + range + "]";
  }

  /** One pass over the range. */
  private final class Entries implements Iterator<Entry> {
    private final Cursor cursor;
    private boolean started;
    private Entry ahead; // the entry next() returns, once hasNext() found it

    Entries(Cursor cursor) {
      this.cursor = cursor;
    }

    @Override
    public boolean hasNext() {
      checkOpen();
      if (ahead != null) {
        return true;
      }
      boolean on;
      if (!started) {
        started = true;
        on = cursor.first();
      } else {
        on = cursor.isValid() && cursor.next();
      }
      if (on) {
        ahead = cursor instanceof ReversedCursor r ? r.entry() : ((CursorImpl) cursor).entry();
      }
      return on;
    }

    @Override
    public Entry next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Entry e = ahead;
      ahead = null;
      return e;
    }
  }
}
