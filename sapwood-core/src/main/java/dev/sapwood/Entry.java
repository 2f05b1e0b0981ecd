package dev.sapwood;

import java.util.Arrays;

/**
 * One key and its value, as a {@link Scan} returns them. Immutable and thread-safe: {@link #of}
 * copies the arrays it is given and {@link #key()} and {@link #value()} return copies, so no
 * caller can change an entry. Two entries are equal when their keys and values are equal byte for
 * byte.
 */
public final class Entry {
  private final byte[] key;
  private final byte[] value;

  private Entry(byte[] key, byte[] value) {
    this.key = key;
    this.value = value;
  }

  /**
   * An entry of copies of {@code key} and {@code value}.
   *
   * @throws IllegalArgumentException if either is null or over its {@link Limits}
   */
  public static Entry of(byte[] key, byte[] value) {
    Limits.checkKey(key);
    Limits.checkValue(value);
    return new Entry(key.clone(), value.clone());
  }

  /** The key (a copy). */
  public byte[] key() {
    return key.clone();
  }

  /** The value (a copy). */
  public byte[] value() {
    return value.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e && Arrays.equals(key, e.key) && Arrays.equals(value, e.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key) * 31 + Arrays.hashCode(value);
  }

  /** For example {@code 0x61=0x7a}: both in hex ({@link Bytes#toString()}). */
  @Override
  public String toString() {
    return Bytes.of(key) + "=" + Bytes.of(value);
  }
}
