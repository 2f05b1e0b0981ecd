package dev.sapwood.kafka;

import dev.sapwood.Cursor;
import dev.sapwood.Snapshot;
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
 * A store's entries in a key range, in either direction: the tree's, read through a cursor of a
 * {@link Snapshot}, overlaid with the uncommitted writes (which win on an equal key; a pending
 * delete hides the tree's entry; a pending blind update applies to the snapshot's value).
 *
 * <p>Consistency: a snapshot. The store takes the {@link Snapshot} and copies its uncommitted
 * writes in the range together, where no commit can come between ({@link
 * SapwoodKeyValueStore#iterator}), so the iterator returns the store as it was at that moment and
 * nothing written after, whatever is written, committed, spilled or flushed meanwhile.
 *
 * <p>Not thread-safe (one thread uses an iterator at a time). {@link #close()} releases the cursor
 * and the snapshot (whose old versions the database keeps in memory while it is open) and is
 * idempotent; a store closes its open iterators when it closes.
 *
 * <p>Invariants: the snapshot is owned by this iterator and closed exactly when it is; {@code
 * pending} is in the iterator's order and inside its range.
 */
final class MergedIterator implements KeyValueIterator<Bytes, byte[]> {
  private final Snapshot snapshot;
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
   * The uncommitted writes from {@code lo} to {@code hi} (null: unbounded; {@code hi} inclusive if
   * {@code hiInclusive}), copied, in the order of the iteration.
   */
  static List<Map.Entry<byte[], Pending>> pendingIn(UncommittedWrites writes, byte[] lo, byte[] hi,
      boolean hiInclusive, boolean reverse) {
    var view = writes.range(lo, hi, hiInclusive);
    return new ArrayList<>((reverse ? view.descendingMap() : view).entrySet());
  }

  /**
   * Takes ownership of {@code snapshot}: closes it when closed, or at once if this constructor
   * throws.
   *
   * @param pending what {@link #pendingIn} copied when {@code snapshot} was taken
   * @param lo the smallest key (inclusive), or null for none
   * @param hi the largest key, or null for none; inclusive if {@code hiInclusive}
   */
  MergedIterator(Snapshot snapshot, Tree tree, List<Map.Entry<byte[], Pending>> pending, byte[] lo, byte[] hi,
      boolean hiInclusive, boolean reverse, Consumer<MergedIterator> onClose) {
    this.snapshot = snapshot;
    this.tree = tree;
    this.lo = lo;
    this.hi = hi;
    this.hiInclusive = hiInclusive;
    this.reverse = reverse;
    this.onClose = onClose;
    this.pending = pending;
    Cursor c = null;
    try {
      c = snapshot.cursor(tree);
      this.cursor = c;
      if (lo != null && hi != null && Arrays.compareUnsigned(lo, hi) > 0) {
        cursorValid = false;
      } else if (!reverse) {
        cursorValid = lo == null ? cursor.first() : cursor.seek(lo);
      } else {
        cursorValid = hi == null ? cursor.last() : positionAtOrBelowHi();
      }
      cursorValid = cursorValid && inRange(cursor.key());
      advance();
    } catch (RuntimeException e) {
      if (c != null) {
        c.close();
      }
      snapshot.close();
      throw e;
    }
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
        byte[] v = e.getValue().resolve(e.getKey(), k -> snapshot.get(tree, k));
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
      try {
        cursor.close();
      } finally {
        snapshot.close();
        onClose.accept(this);
      }
    }
  }
}
