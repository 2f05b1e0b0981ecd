package dev.sapwood;

import java.util.Arrays;

/**
 * A range of keys, in unsigned-lexicographic order, and the direction to visit them in: the
 * argument of {@link Tree#scan(KeyRange)} and {@link Tree#cursor(KeyRange)}.
 *
 * <p>Every range is half-open: keys {@code k} with {@code from <= k < to}, where a missing {@code
 * from} means "from the smallest key" and a missing {@code to} "to past the largest". The empty key
 * is the smallest key, so a lower bound of the empty key is the same as none ({@link #from()} is
 * then null, and such ranges are {@link #equals equal}). A range whose bounds are equal holds no
 * keys. {@link #reversed()} is the same keys visited from the largest down.
 *
 * <p>Immutable and thread-safe. Keys given to the factories are copied, and {@link #from()} and
 * {@link #to()} return copies, so changing an array never changes a range. Bounds are keys: null,
 * or longer than {@link Limits#MAX_KEY_SIZE}, is an {@link IllegalArgumentException}.
 *
 * <p>A range knows nothing of trees, snapshots or transactions: any reader of keys may take one.
 */
public final class KeyRange {
  private static final KeyRange ALL = new KeyRange(null, null, false);

  private final byte[] from; // inclusive; null = no lower bound (never the empty key)
  private final byte[] to; // exclusive; null = no upper bound
  private final boolean reversed;

  private KeyRange(byte[] from, byte[] to, boolean reversed) {
    this.from = from != null && from.length == 0 ? null : from;
    this.to = to;
    this.reversed = reversed;
  }

  /** Every key, ascending. */
  public static KeyRange all() {
    return ALL;
  }

  /**
   * The keys {@code k} with {@code from <= k < to}, ascending; empty if {@code from} equals {@code
   * to}.
   *
   * @throws IllegalArgumentException if {@code from > to}, or a bound is null or too long
   */
  public static KeyRange closedOpen(byte[] from, byte[] to) {
    Limits.checkKey(from);
    Limits.checkKey(to);
    if (Arrays.compareUnsigned(from, to) > 0) {
      throw new IllegalArgumentException("range start " + Bytes.of(from) + " is after its end " + Bytes.of(to));
    }
    return new KeyRange(from.clone(), to.clone(), false);
  }

  /** The keys {@code >= from}, ascending. */
  public static KeyRange atLeast(byte[] from) {
    Limits.checkKey(from);
    return new KeyRange(from.clone(), null, false);
  }

  /** The keys {@code < to}, ascending; empty if {@code to} is the empty key. */
  public static KeyRange lessThan(byte[] to) {
    Limits.checkKey(to);
    return new KeyRange(null, to.clone(), false);
  }

  /**
   * The keys that begin with {@code prefix}, ascending: {@code closedOpen(prefix, end)}, where
   * {@code end} is {@code prefix} with its trailing {@code 0xFF} bytes removed and its last byte
   * then increased by one (prefix {@code 0x61 0xFF} ends before {@code 0x62}). A prefix of only
   * {@code 0xFF} bytes has no such end: no key beyond it lacks the prefix, so the range is {@code
   * atLeast(prefix)}, with no upper bound. The empty prefix is {@link #all()}.
   */
  public static KeyRange prefix(byte[] prefix) {
    Limits.checkKey(prefix);
    int n = prefix.length;
    while (n > 0 && prefix[n - 1] == (byte) 0xFF) {
      n--;
    }
    byte[] end = null;
    if (n > 0) {
      end = Arrays.copyOf(prefix, n);
      end[n - 1]++;
    }
    return new KeyRange(prefix.clone(), end, false);
  }

  /** The same keys in the opposite direction; {@code r.reversed().reversed()} equals {@code r}. */
  public KeyRange reversed() {
    return new KeyRange(from, to, !reversed);
  }

  /** The inclusive lower bound (a copy), or null if there is none. */
  public byte[] from() {
    return from == null ? null : from.clone();
  }

  /** The exclusive upper bound (a copy), or null if there is none. */
  public byte[] to() {
    return to == null ? null : to.clone();
  }

  /** Whether the keys are visited from the largest down. */
  public boolean isReversed() {
    return reversed;
  }

  /** Whether {@code key} lies in the range (whatever its direction). */
  public boolean contains(byte[] key) {
    Limits.checkKey(key);
    return (from == null || Arrays.compareUnsigned(key, from) >= 0)
        && (to == null || Arrays.compareUnsigned(key, to) < 0);
  }

  /** Whether the range holds no key at all (its upper bound is at or below its lower one). */
  public boolean isEmpty() {
    return to != null && (to.length == 0 || from != null && Arrays.compareUnsigned(from, to) >= 0);
  }

  /** Equal bounds (by content) and the same direction. */
  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRange r && reversed == r.reversed && Arrays.equals(from, r.from) && Arrays.equals(to, r.to);
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(from) * 31 + Arrays.hashCode(to)) * 31 + (reversed ? 1 : 0);
  }

  /** For example {@code KeyRange[0x61, 0x62)}, {@code KeyRange[-inf, +inf) reversed}. */
  @Override
  public String toString() {
    return "KeyRange[" + (from == null ? "-inf" : Bytes.of(from).toString()) + ", "
        + (to == null ? "+inf" : Bytes.of(to).toString()) + ")" + (reversed ? " reversed" : "");
  }
}
