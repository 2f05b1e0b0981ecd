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
  private final String treeName;
  private final KeyRange range;
  /** A new cursor over the range, for each iterator. */
  private final java.util.function.Supplier<Cursor> cursors;
  private boolean closed;

  ScanImpl(String treeName, KeyRange range, java.util.function.Supplier<Cursor> cursors) {
    this.treeName = treeName;
    this.range = range;
    this.cursors = cursors;
  }

  @Override
  public Iterator<Entry> iterator() {
    checkOpen();
    return new Entries(cursors.get());
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
    return "Scan[" + treeName + ", " + range + "]";
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
        ahead = cursor instanceof ReversedCursor r ? r.entry() : ((AscendingCursor) cursor).entry();
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
