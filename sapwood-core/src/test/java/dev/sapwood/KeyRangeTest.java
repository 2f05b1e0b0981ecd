package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The value type alone: bounds each factory makes, reversal, copies, equality and the prefix end. */
class KeyRangeTest {
  private static byte[] b(int... xs) {
    byte[] out = new byte[xs.length];
    for (int i = 0; i < xs.length; i++) {
      out[i] = (byte) xs[i];
    }
    return out;
  }

  @Test
  void allHasNoBoundsAndHoldsEveryKey() {
    KeyRange r = KeyRange.all();
    assertNull(r.from());
    assertNull(r.to());
    assertFalse(r.isReversed());
    assertFalse(r.isEmpty());
    assertTrue(r.contains(new byte[0]));
    assertTrue(r.contains(b(0xFF, 0xFF)));
    assertEquals("KeyRange[-inf, +inf)", r.toString());
  }

  @Test
  void closedOpenIncludesItsStartAndExcludesItsEnd() {
    KeyRange r = KeyRange.closedOpen(b(0x61), b(0x63));
    assertArrayEquals(b(0x61), r.from());
    assertArrayEquals(b(0x63), r.to());
    assertTrue(r.contains(b(0x61)));
    assertTrue(r.contains(b(0x62, 0xFF)));
    assertFalse(r.contains(b(0x63)));
    assertFalse(r.contains(b(0x60, 0xFF)));
    assertEquals("KeyRange[0x61, 0x63)", r.toString());
    assertTrue(KeyRange.closedOpen(b(1), b(1)).isEmpty(), "equal bounds hold nothing");
    assertThrows(IllegalArgumentException.class, () -> KeyRange.closedOpen(b(2), b(1)));
    assertThrows(IllegalArgumentException.class, () -> KeyRange.closedOpen(null, b(1)));
    assertThrows(IllegalArgumentException.class, () -> KeyRange.closedOpen(b(1), null));
    assertThrows(IllegalArgumentException.class, () -> KeyRange.closedOpen(new byte[Limits.MAX_KEY_SIZE + 1], b(1)));
  }

  @Test
  void atLeastAndLessThanHaveOneBound() {
    KeyRange up = KeyRange.atLeast(b(5));
    assertArrayEquals(b(5), up.from());
    assertNull(up.to());
    assertTrue(up.contains(b(5)));
    assertFalse(up.contains(b(4, 0xFF)));
    KeyRange down = KeyRange.lessThan(b(5));
    assertNull(down.from());
    assertArrayEquals(b(5), down.to());
    assertTrue(down.contains(new byte[0]));
    assertFalse(down.contains(b(5)));
    assertTrue(KeyRange.lessThan(new byte[0]).isEmpty(), "nothing is below the empty key");
    assertThrows(IllegalArgumentException.class, () -> KeyRange.atLeast(null));
    assertThrows(IllegalArgumentException.class, () -> KeyRange.lessThan(null));
  }

  @Test
  void aLowerBoundOfTheEmptyKeyIsNoBound() {
    assertEquals(KeyRange.all(), KeyRange.atLeast(new byte[0]));
    assertEquals(KeyRange.lessThan(b(3)), KeyRange.closedOpen(new byte[0], b(3)));
    assertNull(KeyRange.atLeast(new byte[0]).from());
  }

  @Test
  void prefixEndsWhereThePrefixStopsMatching() {
    KeyRange r = KeyRange.prefix(b(0x61, 0x62));
    assertArrayEquals(b(0x61, 0x62), r.from());
    assertArrayEquals(b(0x61, 0x63), r.to());
    assertTrue(r.contains(b(0x61, 0x62)));
    assertTrue(r.contains(b(0x61, 0x62, 0xFF, 0xFF)));
    assertFalse(r.contains(b(0x61, 0x63)));
    assertFalse(r.contains(b(0x61)));
    // Trailing 0xFF bytes carry: 61 FF ends before 62.
    KeyRange carry = KeyRange.prefix(b(0x61, 0xFF));
    assertArrayEquals(b(0x62), carry.to());
    assertTrue(carry.contains(b(0x61, 0xFF, 0xFF)));
    assertFalse(carry.contains(b(0x62)));
    // Only 0xFF bytes: nothing above lacks the prefix, so there is no upper bound.
    KeyRange ff = KeyRange.prefix(b(0xFF, 0xFF));
    assertArrayEquals(b(0xFF, 0xFF), ff.from());
    assertNull(ff.to());
    assertEquals(KeyRange.atLeast(b(0xFF, 0xFF)), ff);
    assertTrue(ff.contains(b(0xFF, 0xFF, 0xFF)));
    assertFalse(ff.contains(b(0xFF, 0xFE)));
    assertEquals(KeyRange.all(), KeyRange.prefix(new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> KeyRange.prefix(null));
  }

  @Test
  void everyRangeReversesAndBackWithTheSameKeys() {
    KeyRange[] ranges = {KeyRange.all(), KeyRange.closedOpen(b(1), b(2)), KeyRange.atLeast(b(1)),
        KeyRange.lessThan(b(2)), KeyRange.prefix(b(7))};
    for (KeyRange r : ranges) {
      KeyRange rev = r.reversed();
      assertTrue(rev.isReversed(), r.toString());
      assertArrayEquals(r.from(), rev.from(), r.toString());
      assertArrayEquals(r.to(), rev.to(), r.toString());
      assertNotEquals(r, rev, r.toString());
      assertEquals(r, rev.reversed(), r.toString());
      assertEquals(r.hashCode(), rev.reversed().hashCode(), r.toString());
      assertTrue(rev.toString().endsWith(" reversed"), rev.toString());
    }
  }

  @Test
  void rangesCopyTheArraysTheyAreGivenAndReturn() {
    byte[] from = b(1);
    byte[] to = b(9);
    KeyRange r = KeyRange.closedOpen(from, to);
    from[0] = 5;
    to[0] = 6;
    assertArrayEquals(b(1), r.from());
    assertArrayEquals(b(9), r.to());
    r.from()[0] = 7;
    r.to()[0] = 7;
    assertArrayEquals(b(1), r.from());
    assertArrayEquals(b(9), r.to());
    byte[] p = b(4);
    KeyRange pr = KeyRange.prefix(p);
    p[0] = 0;
    assertArrayEquals(b(4), pr.from());
  }

  @Test
  void equalRangesAreEqualByContent() {
    assertEquals(KeyRange.closedOpen(b(1), b(2)), KeyRange.closedOpen(b(1), b(2)));
    assertEquals(KeyRange.closedOpen(b(1), b(2)).hashCode(), KeyRange.closedOpen(b(1), b(2)).hashCode());
    assertEquals(KeyRange.prefix(b(1)), KeyRange.closedOpen(b(1), b(2)));
    assertNotEquals(KeyRange.atLeast(b(1)), KeyRange.lessThan(b(1)));
    assertNotEquals(KeyRange.closedOpen(b(1), b(2)), KeyRange.closedOpen(b(1), b(3)));
    assertSame(KeyRange.all(), KeyRange.all());
    assertNotEquals(KeyRange.all(), null);
  }

  @Test
  void entriesAreImmutableValues() {
    byte[] k = b(1);
    byte[] v = b(2);
    Entry e = Entry.of(k, v);
    k[0] = 9;
    e.value()[0] = 9;
    assertArrayEquals(b(1), e.key());
    assertArrayEquals(b(2), e.value());
    assertEquals(Entry.of(b(1), b(2)), e);
    assertEquals(Entry.of(b(1), b(2)).hashCode(), e.hashCode());
    assertNotEquals(Entry.of(b(1), b(3)), e);
    assertEquals("0x01=0x02", e.toString());
    assertThrows(IllegalArgumentException.class, () -> Entry.of(null, b(1)));
  }
}
