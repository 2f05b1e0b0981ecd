package dev.sapwood;

/** Size limits on keys and values, and the checks every entry point applies. */
public final class Limits {
  /** Largest key, in bytes. */
  public static final int MAX_KEY_SIZE = 16 << 10;
  /** Largest value (or update argument), in bytes. */
  public static final int MAX_VALUE_SIZE = 16 << 20;

  private Limits() {}

  /** @throws IllegalArgumentException if {@code key} is null or longer than {@link #MAX_KEY_SIZE} */
  public static void checkKey(byte[] key) {
    if (key == null) {
      throw new IllegalArgumentException("key is null");
    }
    if (key.length > MAX_KEY_SIZE) {
      throw new IllegalArgumentException("key of " + key.length + " bytes exceeds " + MAX_KEY_SIZE);
    }
  }

  /** @throws IllegalArgumentException if {@code value} is null or longer than {@link #MAX_VALUE_SIZE} */
  public static void checkValue(byte[] value) {
    if (value == null) {
      throw new IllegalArgumentException("value is null");
    }
    if (value.length > MAX_VALUE_SIZE) {
      throw new IllegalArgumentException("value of " + value.length + " bytes exceeds " + MAX_VALUE_SIZE);
    }
  }
}
