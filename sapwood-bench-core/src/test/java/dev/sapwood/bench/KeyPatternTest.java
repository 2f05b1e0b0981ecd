package dev.sapwood.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each key pattern draws from the space it says, with the skew it says. */
class KeyPatternTest {
  private static final long COUNT = 10_000;
  private static final long SPACE = 4 * COUNT;

  @Test
  void uniformCoversTheWholeSpaceEvenly() {
    KeyPattern p = KeyPattern.parse("uniform", COUNT);
    SplittableRandom r = new SplittableRandom(1);
    int low = 0;
    for (int i = 0; i < COUNT; i++) {
      long k = p.next(r);
      assertTrue(k >= 0 && k < SPACE, "in the space: " + k);
      low += k < SPACE / 10 ? 1 : 0;
    }
    assertTrue(low > 800 && low < 1200, "about a tenth in the lowest tenth: " + low);
  }

  @Test
  void aHotRangeTakesItsShareOfTheWrites() {
    KeyPattern p = KeyPattern.parse("hot:0.1:0.9", COUNT);
    SplittableRandom r = new SplittableRandom(2);
    int hot = 0;
    for (int i = 0; i < COUNT; i++) {
      long k = p.next(r);
      assertTrue(k >= 0 && k < SPACE);
      hot += k < SPACE / 10 ? 1 : 0;
    }
    assertTrue(hot > 9_000 && hot < 9_300, "0.9 + 0.1 × 0.1 of the writes in the hot tenth: " + hot);
  }

  @Test
  void zipfPutsMostWritesOnTheLowestKeys() {
    KeyPattern p = KeyPattern.parse("zipf:0.99", COUNT);
    SplittableRandom r = new SplittableRandom(3);
    int zeros = 0;
    int lowHundred = 0;
    for (int i = 0; i < COUNT; i++) {
      long k = p.next(r);
      assertTrue(k >= 0 && k < SPACE);
      zeros += k == 0 ? 1 : 0;
      lowHundred += k < 100 ? 1 : 0;
    }
    // zeta(40000, 0.99) ≈ 11.0: key 0 draws ~9%, the lowest 100 keys ~47%
    assertTrue(zeros > 700 && zeros < 1100, "key 0: " + zeros);
    assertTrue(lowHundred > 4_000 && lowHundred < 5_500, "keys below 100: " + lowHundred);
  }

  @Test
  void seqAscendsWithinItsJitter() {
    KeyPattern p = KeyPattern.parse("seq:1000", COUNT);
    SplittableRandom r = new SplittableRandom(4);
    for (long i = 0; i < COUNT; i++) {
      long k = p.next(r);
      assertTrue(k >= 4 * i && k < 4 * i + 1000, "write " + i + " at " + k);
    }
  }

  @Test
  void anUnknownPatternIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> KeyPattern.parse("gaussian", COUNT));
  }
}
