package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.*;

import dev.sapwood.CorruptionException;

/**
 * Chooses the header to open a block file with: reads both slots and takes the valid one with the
 * higher checkpoint count (slot 0 on a tie, which happens only in a file never checkpointed).
 *
 * <p>A damaged slot is normal after a crash during a header write, and the other slot then holds
 * the previous checkpoint, which is intact because nothing it refers to is released before the
 * newer header is durable. A slot that is intact but of a newer format version stops the open
 * (a {@link dev.sapwood.SapwoodException}), even if the other slot is readable.
 */
final class HeaderSelector {
  private HeaderSelector() {}

  /**
   * The header to open {@code f} with.
   *
   * @throws CorruptionException if neither slot is valid; the message gives both reasons
   */
  static Header select(StickyFile f) {
    Header best = null;
    CorruptionException first = null;
    StringBuilder reasons = new StringBuilder();
    for (int s = 0; s < HEADER_SLOTS; s++) {
      long offset = slotOffset(s);
      byte[] slot = new byte[HEADER_SLOT_SIZE];
      int n = f.readUpTo(offset, slot, slot.length);
      try {
        Header h = HeaderEncoding.decode(slot, n, f.name(), offset);
        if (best == null || h.checkpointCount() > best.checkpointCount()) {
          best = h;
        }
      } catch (CorruptionException e) {
        if (first == null) {
          first = e;
        }
        reasons.append(reasons.length() == 0 ? "" : "; ").append("slot ").append(s).append(": ")
            .append(e.getMessage());
      }
    }
    if (best == null) {
      throw new CorruptionException(f.name(), 0, "no valid header slot (" + reasons + ")", first);
    }
    return best;
  }
}
