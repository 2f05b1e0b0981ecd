package dev.sapwood.internal.engine;

import dev.sapwood.Cursor;
import dev.sapwood.Limits;
import java.util.Arrays;

/**
 * A transaction's cursor: its snapshot's cursor with the transaction's own writes merged in, as
 * they are when the cursor moves. Each move finds the nearest key in either source, computes the
 * transaction's value for it ({@link WriteSet#apply}) and skips keys that value says are absent.
 * Every range a move steps over is reported to the transaction (its scanned ranges, checked at
 * commit under SERIALIZABLE). Not thread-safe.
 */
final class TxCursor implements Cursor {
  private final TransactionImpl tx;
  private final TreeImpl tree;
  private final Cursor base;
  private final WriteSet writes;
  /** Whether {@code base} is on an entry; meaningful once positioned. */
  private boolean baseValid;
  /** The direction {@code base} last moved in: +1, -1, or 0 when it must be repositioned. */
  private int baseDir;
  private byte[] key;
  private byte[] value;
  private boolean everPositioned;
  private boolean closed;

  TxCursor(TransactionImpl tx, TreeImpl tree, Cursor base, WriteSet writes) {
    this.tx = tx;
    this.tree = tree;
    this.base = base;
    this.writes = writes;
  }

  @Override
  public boolean first() {
    return forward(null, true);
  }

  @Override
  public boolean last() {
    return backward(null, true);
  }

  @Override
  public boolean seek(byte[] k) {
    Limits.checkKey(k);
    return forward(k.clone(), true);
  }

  @Override
  public boolean next() {
    byte[] cur = current();
    return cur != null && forward(Arrays.copyOf(cur, cur.length + 1), baseDir != 1);
  }

  @Override
  public boolean prev() {
    byte[] cur = current();
    return cur != null && backward(cur, baseDir != -1);
  }

  /** Positions on the first key at or above {@code from} (null: the first key) that is present. */
  private boolean forward(byte[] from, boolean reposition) {
    check();
    everPositioned = true;
    byte[] scanFrom = from;
    if (reposition) {
      baseValid = from == null ? base.first() : base.seek(from);
      baseDir = 1;
    }
    while (true) {
      while (from != null && baseValid && Arrays.compareUnsigned(base.key(), from) < 0) {
        baseValid = base.next();
      }
      byte[] a = baseValid ? base.key() : null;
      byte[] b = writes.ceiling(tree, from);
      byte[] k = a == null ? b : b == null ? a : Arrays.compareUnsigned(a, b) <= 0 ? a : b;
      if (k == null) {
        tx.scanned(tree, scanFrom, null);
        return off();
      }
      byte[] v = writes.apply(tree, k, a != null && Arrays.equals(a, k) ? base.value() : null);
      if (v != null) {
        tx.scanned(tree, scanFrom, Arrays.copyOf(k, k.length + 1));
        return on(k, v);
      }
      from = Arrays.copyOf(k, k.length + 1);
    }
  }

  /** Positions on the last key below {@code to} (null: the last key) that is present. */
  private boolean backward(byte[] to, boolean reposition) {
    check();
    everPositioned = true;
    byte[] scanTo = to;
    if (reposition) {
      if (to == null) {
        baseValid = base.last();
      } else {
        baseValid = base.seek(to) ? base.prev() : base.last();
      }
      baseDir = -1;
    }
    while (true) {
      while (to != null && baseValid && Arrays.compareUnsigned(base.key(), to) >= 0) {
        baseValid = base.prev();
      }
      byte[] a = baseValid ? base.key() : null;
      byte[] b = writes.lower(tree, to);
      byte[] k = a == null ? b : b == null ? a : Arrays.compareUnsigned(a, b) >= 0 ? a : b;
      if (k == null) {
        tx.scanned(tree, null, scanTo);
        return off();
      }
      byte[] v = writes.apply(tree, k, a != null && Arrays.equals(a, k) ? base.value() : null);
      if (v != null) {
        tx.scanned(tree, k, scanTo);
        return on(k, v);
      }
      to = k;
    }
  }

  private boolean on(byte[] k, byte[] v) {
    key = k;
    value = v;
    return true;
  }

  private boolean off() {
    key = null;
    value = null;
    return false;
  }

  private byte[] current() {
    check();
    if (!everPositioned) {
      throw new IllegalStateException("cursor was never positioned: call first(), last() or seek()");
    }
    return key;
  }

  @Override
  public boolean isValid() {
    check();
    return key != null;
  }

  @Override
  public byte[] key() {
    checkOn();
    return key.clone();
  }

  @Override
  public byte[] value() {
    checkOn();
    return value.clone();
  }

  private void checkOn() {
    check();
    if (key == null) {
      throw new IllegalStateException("cursor is not on an entry");
    }
  }

  private void check() {
    if (closed) {
      throw new IllegalStateException("cursor is closed");
    }
    tx.checkActive();
  }

  @Override
  public void close() {
    closed = true;
    base.close();
  }
}
