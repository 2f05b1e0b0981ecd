package dev.sapwood.kafka;

import java.util.Arrays;

/** The key range of a prefix scan. Stateless. */
final class PrefixRange {
  private PrefixRange() {}

  /**
   * The smallest key greater than every key starting with {@code prefix} (exclusive end), or null
   * if there is none (the prefix is empty or all 0xFF bytes).
   */
  static byte[] end(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] end = Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
      }
    }
    return null;
  }
}
