package dev.sapwood.internal.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Varints round-trip, take the documented sizes, and refuse what runs past a limit or is overlong. */
class VarintTest {
  @Test
  void valuesRoundTripInTheSizesTheyTake() {
    long seed = System.nanoTime();
    System.out.println("VarintTest seed " + seed);
    Random r = new Random(seed);
    byte[] b = new byte[Varint.MAX_LONG_BYTES];
    for (int i = 0; i < 10_000; i++) {
      long v = (r.nextLong() >>> 1) >>> r.nextInt(63);
      int end = Varint.put(b, 0, v);
      assertEquals(Varint.size(v), end, "size of " + v);
      assertEquals(v, Varint.get(b, 0, end, Varint.MAX_LONG_BYTES), "seed " + seed);
    }
    assertEquals(1, Varint.size(127));
    assertEquals(2, Varint.size(128));
    assertEquals(5, Varint.size(Integer.MAX_VALUE));
  }

  @Test
  void aVarintRunningPastItsLimitOrItsTypeOrOverlongIsRefused() {
    byte[] b = new byte[12];
    int end = Varint.put(b, 0, 300);
    assertEquals(-1, Varint.get(b, 0, end - 1, Varint.MAX_LONG_BYTES));
    java.util.Arrays.fill(b, (byte) 0x80);
    assertEquals(-1, Varint.get(b, 0, b.length, Varint.MAX_LONG_BYTES));
    assertEquals(-1, Varint.get(new byte[] {(byte) 0x81, 0}, 0, 2, Varint.MAX_INT_BYTES));
    assertEquals(-1, Varint.get(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1}, 0, 6,
        Varint.MAX_INT_BYTES));
  }
}
