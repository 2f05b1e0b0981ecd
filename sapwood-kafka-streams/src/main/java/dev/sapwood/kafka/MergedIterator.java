package dev.sapwood.kafka;

import dev.sapwood.Cursor;
import dev.sapwood.Tree;
import dev.sapwood.kafka.UncommittedWrites.Pending;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * A store's entries in a key range, in either direction: the tree's, read through a {@link Cursor},
 * overlaid with the uncommitted writes (which win on an equal key; a pending delete hides the
 * tree's entry).
 *
 * <p>Consistency: the uncommitted writes in the range are copied when the iterator is made; the
 * tree is read through a cursor, which is weakly consistent (see {@link Cursor}): it sees every
 * change completed before each chunk it reads. An entry present throughout the iteration is
 * returned exactly once, even if a commit moves it from the buffer into the tree meanwhile. When
 * Sapwood has snapshots, the cursor can read one instead and the iterator becomes a snapshot.
 *
 * <p>Not thread-safe (one thread uses an iterator at a time). {@link #close()} releases the cursor
 * and is idempotent; a store closes its open iterators when it closes.
 */
final class MergedIterator implements KeyValueIterator<Bytes, byte[]> {
  private final Tree tree;
  private final Cursor cursor;
  private final List<Map.Entry<byte[], Pending>> pending;
  private final byte[] lo;
  private final byte[] hi;
  private final boolean hiInclusive;
  private final boolean reverse;
  private final Consumer<MergedIterator> onClose;
  private int pendingIndex;
  private boolean cursorValid;
  private KeyValue<Bytes, byte[]> next;
  private boolean closed;

  /**
   * @param lo the smallest key (inclusive), or null for none
   * @param hi the largest key, or null for none; inclusive if {@code hiInclusive}
   */
  MergedIterator(Tree tree, UncommittedWrites writes, byte[] lo, byte[] hi, boolean hiInclusive,
      boolean reverse, Consumer<MergedIterator> onClose) {
    this.tree = tree;
    this.lo = lo;
    this.hi = hi;
    this.hiInclusive = hiInclusive;
    this.reverse = reverse;
    this.onClose = onClose;
    var view = writes.range(lo, hi, hiInclusive);
    this.pending = new ArrayList<>((reverse ? view.descendingMap() : view).entrySet());
    this.cursor = tree.cursor();
    if (lo != null && hi != null && Arrays.compareUnsigned(lo, hi) > 0) {
      cursorValid = false;
    } else if (!reverse) {
      cursorValid = lo == null ? cursor.first() : cursor.seek(lo);
    } else {
      cursorValid = hi == null ? cursor.last() : positionAtOrBelowHi();
    }
    cursorValid = cursorValid && inRange(cursor.key());
    advance();
  }

  private boolean positionAtOrBelowHi() {
    boolean ok = cursor.seek(hi);
    if (!ok) {
      return cursor.last();
    }
    int c = Arrays.compareUnsigned(cursor.key(), hi);
    return (c > 0 || (c == 0 && !hiInclusive)) ? cursor.prev() : true;
  }

  private boolean inRange(byte[] key) {
    if (lo != null && Arrays.compareUnsigned(key, lo) < 0) {
      return false;
    }
    if (hi != null) {
      int c = Arrays.compareUnsigned(key, hi);
      return c < 0 || (c == 0 && hiInclusive);
    }
    return true;
  }

  private void moveCursor() {
    cursorValid = (reverse ? cursor.prev() : cursor.next()) && inRange(cursor.key());
  }

  /** Finds the next visible entry, or leaves {@code next} null at the end. */
  private void advance() {
    next = null;
    while (next == null) {
      boolean hasPending = pendingIndex < pending.size();
      if (!hasPending && !cursorValid) {
        return;
      }
      int order;
      if (!hasPending) {
        order = 1;
      } else if (!cursorValid) {
        order = -1;
      } else {
        int c = Arrays.compareUnsigned(pending.get(pendingIndex).getKey(), cursor.key());
        order = reverse ? -c : c;
      }
      if (order <= 0) {
        Map.Entry<byte[], Pending> e = pending.get(pendingIndex++);
        if (order == 0) {
          moveCursor();
        }
        byte[] v = e.getValue().resolve(e.getKey(), tree);
        if (v != null) {
          next = KeyValue.pair(Bytes.wrap(e.getKey()), v);
        }
      } else {
        next = KeyValue.pair(Bytes.wrap(cursor.key()), cursor.value());
        moveCursor();
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("iterator is closed");
    }
  }

  @Override
  public boolean hasNext() {
    checkOpen();
    return next != null;
  }

  @Override
  public KeyValue<Bytes, byte[]> next() {
    checkOpen();
    if (next == null) {
      throw new NoSuchElementException();
    }
    KeyValue<Bytes, byte[]> kv = next;
    advance();
    return kv;
  }

  @Override
  public Bytes peekNextKey() {
    checkOpen();
    if (next == null) {
      throw new NoSuchElementException();
    }
    return next.key;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      cursor.close();
      onClose.accept(this);
    }
  }
}
