package dev.sapwood.internal.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListArraysTest {
  @Test
  void copiesEveryElementInOrderIntoTheGivenArray() {
    List<byte[]> keys = new ArrayList<>(List.of(new byte[] {1}, new byte[] {2, 3}, new byte[0]));
    byte[][] into = new byte[3][];
    assertSame(into, ListArrays.copy(keys, into));
    for (int i = 0; i < 3; i++) {
      assertSame(keys.get(i), into[i]);
    }
    String[] longer = new String[4];
    ListArrays.copy(List.of("a", "b"), longer);
    assertArrayEquals(new String[] {"a", "b", null, null}, longer);
    assertNull(longer[2]);
  }

  @Test
  void anArrayShorterThanTheListIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ListArrays.copy(List.of(1, 2, 3), new Integer[2]));
  }
}
