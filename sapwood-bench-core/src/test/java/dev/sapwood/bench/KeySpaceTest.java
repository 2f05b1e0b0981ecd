package dev.sapwood.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class KeySpaceTest {
  @Test
  void permutationVisitsEveryKeyOnce() {
    for (long num : new long[] {1, 2, 3, 7, 100, 1000, 4096, 5001}) {
      KeySpace ks = new KeySpace(16, num, 42);
      BitSet seen = new BitSet();
      for (long i = 0; i < num; i++) {
        long k = ks.permuted(i);
        assertTrue(k >= 0 && k < num, "in range");
        assertFalse(seen.get((int) k), "key " + k + " twice for num " + num);
        seen.set((int) k);
      }
      assertEquals(num, seen.cardinality());
    }
  }

  @Test
  void keysAreBigEndianSoNumbersSortAsBytes() {
    KeySpace ks = new KeySpace(16, 1 << 20, 1);
    byte[] prev = ks.key(0);
    for (long n : new long[] {1, 255, 256, 65535, 65536, 1 << 19}) {
      byte[] k = ks.key(n);
      assertTrue(Arrays.compareUnsigned(prev, k) < 0);
      assertEquals(n, KeySpace.number(k));
      prev = k;
    }
  }

  @Test
  void valuesAreDeterministicPerKeyAndGeneration() {
    ValueSource a = new ValueSource(100, 7);
    ValueSource b = new ValueSource(100, 7);
    assertArrayEquals(a.value(12, 1), b.value(12, 1));
    assertFalse(Arrays.equals(a.value(12, 1), a.value(12, 2)));
    assertEquals(100, a.value(5, 3).length);
  }
}
