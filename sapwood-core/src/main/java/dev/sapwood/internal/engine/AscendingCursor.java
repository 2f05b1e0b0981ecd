package dev.sapwood.internal.engine;

import dev.sapwood.Cursor;
import dev.sapwood.Entry;

/**
 * An ascending cursor that can also find the largest key at or below a given one: what a {@link
 * ReversedCursor} mirrors to walk a reversed {@link dev.sapwood.KeyRange}.
 */
interface AscendingCursor extends Cursor {
  /** Positions on the largest key at or below {@code key}; false (and not valid) if there is none. */
  boolean seekAtMost(byte[] key);

  /** The current entry. REQUIRES: positioned ({@link #isValid()}). */
  default Entry entry() {
    return Entry.of(key(), value());
  }
}
