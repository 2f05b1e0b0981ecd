package dev.sapwood.internal.engine;

import dev.sapwood.Cursor;
import dev.sapwood.Entry;

/**
 * The cursor of a reversed {@link dev.sapwood.KeyRange}: an ascending cursor over the same bounds
 * ({@link CursorImpl}, or a transaction's {@link RangeCursor}), seen in a mirror. {@code first} is the range's largest key, {@code next} moves to a
 * smaller one, {@code seek(k)} finds the largest key {@code <= k}. Not thread-safe, as any cursor.
 */
final class ReversedCursor implements Cursor {
  private final AscendingCursor ascending;

  ReversedCursor(AscendingCursor ascending) {
    this.ascending = ascending;
  }

  @Override
  public boolean first() {
    return ascending.last();
  }

  @Override
  public boolean last() {
    return ascending.first();
  }

  @Override
  public boolean seek(byte[] key) {
    return ascending.seekAtMost(key);
  }

  @Override
  public boolean next() {
    return ascending.prev();
  }

  @Override
  public boolean prev() {
    return ascending.next();
  }

  @Override
  public boolean isValid() {
    return ascending.isValid();
  }

  @Override
  public byte[] key() {
    return ascending.key();
  }

  @Override
  public byte[] value() {
    return ascending.value();
  }

  /** The current entry ({@link AscendingCursor#entry()}). */
  Entry entry() {
    return ascending.entry();
  }

  @Override
  public void close() {
    ascending.close();
  }
}
