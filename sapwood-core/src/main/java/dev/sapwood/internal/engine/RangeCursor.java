package dev.sapwood.internal.engine;

import dev.sapwood.Cursor;
import dev.sapwood.Limits;
import java.util.Arrays;

/**
 * Any ascending cursor clipped to the keys {@code lo <= k < hi} (either null for no bound): a
 * transaction's cursor over a {@link dev.sapwood.KeyRange}, whose own writes may lie outside it.
 * Every move is the base cursor's move, then a check of the bound it moved toward; a key outside
 * the range leaves this cursor not valid. Not thread-safe, as any cursor.
 */
final class RangeCursor implements AscendingCursor {
  private final Cursor base;
  private final byte[] lo;
  private final byte[] hi;
  private boolean valid;

  RangeCursor(Cursor base, byte[] lo, byte[] hi) {
    this.base = base;
    this.lo = lo;
    this.hi = hi;
  }

  @Override
  public boolean first() {
    return lo == null ? belowHi(base.first()) : belowHi(base.seek(lo));
  }

  @Override
  public boolean last() {
    if (hi == null) {
      return atOrAboveLo(base.last());
    }
    return atOrAboveLo(base.seek(hi) ? base.prev() : base.last());
  }

  @Override
  public boolean seek(byte[] key) {
    Limits.checkKey(key);
    byte[] from = lo != null && Arrays.compareUnsigned(key, lo) < 0 ? lo : key;
    if (hi != null && Arrays.compareUnsigned(from, hi) >= 0) {
      return valid = false;
    }
    return belowHi(base.seek(from));
  }

  @Override
  public boolean seekAtMost(byte[] key) {
    Limits.checkKey(key);
    if (hi != null && Arrays.compareUnsigned(key, hi) >= 0) {
      return last();
    }
    if (!base.seek(key)) {
      return atOrAboveLo(base.last());
    }
    return atOrAboveLo(Arrays.equals(base.key(), key) || base.prev());
  }

  @Override
  public boolean next() {
    return valid && belowHi(base.next());
  }

  @Override
  public boolean prev() {
    return valid && atOrAboveLo(base.prev());
  }

  @Override
  public boolean isValid() {
    return valid;
  }

  @Override
  public byte[] key() {
    check();
    return base.key();
  }

  @Override
  public byte[] value() {
    check();
    return base.value();
  }

  @Override
  public void close() {
    valid = false;
    base.close();
  }

  private boolean belowHi(boolean on) {
    return valid = on && (hi == null || Arrays.compareUnsigned(base.key(), hi) < 0);
  }

  private boolean atOrAboveLo(boolean on) {
    return valid = on && (lo == null || Arrays.compareUnsigned(base.key(), lo) >= 0);
  }

  private void check() {
    if (!valid) {
      throw new IllegalStateException("cursor is not positioned");
    }
  }
}
