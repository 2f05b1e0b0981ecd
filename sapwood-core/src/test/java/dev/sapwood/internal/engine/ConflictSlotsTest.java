package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/**
 * The conflict table's slots spread common key shapes as a random function would: two keys
 * sharing a slot make a spurious conflict, so clustering shows up as aborted transactions.
 */
class ConflictSlotsTest {
  private static final int KEYS = 100_000;
  /** A random function puts 100,000 keys in about 69,950 of 2^17 slots; allow some slack. */
  private static final int AT_LEAST = 65_000;

  private static int distinct(java.util.function.LongFunction<byte[]> key) {
    BitSet used = new BitSet();
    for (long n = 0; n < KEYS; n++) {
      used.set(Conflicts.slot(3, key.apply(n)));
    }
    return used.cardinality();
  }

  private static byte[] bigEndian(long n, int size) {
    byte[] k = new byte[size];
    for (int i = 7; i >= 0; i--) {
      k[i] = (byte) n;
      n >>>= 8;
    }
    return k;
  }

  @Test
  void sequentialBigEndianKeysSpreadOverTheSlots() {
    for (int size : new int[] {8, 12, 16, 24}) {
      int d = distinct(n -> bigEndian(100_000 + n, size));
      assertTrue(d >= AT_LEAST, size + "-byte sequential keys fill only " + d + " slots");
    }
  }

  @Test
  void shortAndStringKeysSpreadOverTheSlots() {
    int d = distinct(n -> ("user" + n).getBytes(StandardCharsets.UTF_8));
    assertTrue(d >= AT_LEAST, "string keys fill only " + d + " slots");
    d = distinct(n -> new byte[] {(byte) n, (byte) (n >>> 8), (byte) (n >>> 16)});
    assertTrue(d >= AT_LEAST, "3-byte keys fill only " + d + " slots");
  }
}
