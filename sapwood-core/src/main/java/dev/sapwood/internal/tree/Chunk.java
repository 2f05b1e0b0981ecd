package dev.sapwood.internal.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The live entries of one key range of a tree, read atomically (one basement's range, with every
 * buffered message above it applied): what a cursor steps through. {@code next} is where the
 * following chunk starts in the direction of the read (inclusive lower bound going forward,
 * exclusive upper bound going backward); null means the read reached the end of the tree.
 */
public final class Chunk implements MessageApplier.Sink {
  private final List<byte[]> keys = new ArrayList<>();
  private final List<byte[]> values = new ArrayList<>();
  private final int limit;
  byte[] next;
  boolean atEnd;

  /** A chunk without a limit on its entries. */
  public Chunk() {
    this(Integer.MAX_VALUE);
  }

  /** A chunk that stops taking entries once it holds {@code limit}. */
  public Chunk(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("chunk limit " + limit);
    }
    this.limit = limit;
  }

  @Override
  public boolean full() {
    return keys.size() >= limit;
  }

  @Override
  public void emit(byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen) {
    keys.add(Arrays.copyOfRange(k, kOff, kOff + kLen));
    values.add(Arrays.copyOfRange(v, vOff, vOff + vLen));
  }

  /**
   * Makes the chunk say {@code value} for {@code key} (null: absent), keeping key order (a chunk is ascending, whichever way it was read): a snapshot
   * read puts the versions kept for it over what the leaf says.
   */
  void overlay(byte[] key, byte[] value) {
    int lo = 0;
    int hi = keys.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Arrays.compareUnsigned(keys.get(mid), key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        if (value == null) {
          keys.remove(mid);
          values.remove(mid);
        } else {
          values.set(mid, value.clone());
        }
        return;
      }
    }
    if (value != null) {
      keys.add(lo, key.clone());
      values.add(lo, value.clone());
    }
  }

  public int size() {
    return keys.size();
  }

  public byte[] key(int i) {
    return keys.get(i);
  }

  public byte[] value(int i) {
    return values.get(i);
  }

  /** Where the next chunk in the same direction begins; meaningless when {@link #atEnd()}. */
  public byte[] next() {
    return next;
  }

  /** Whether no keys lie beyond this chunk in the direction it was read. */
  public boolean atEnd() {
    return atEnd;
  }
}
