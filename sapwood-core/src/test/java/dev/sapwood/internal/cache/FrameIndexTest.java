package dev.sapwood.internal.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameIndexTest {
  @Test
  void randomPutsAndRemovalsMatchAMapThroughGrowthAndBackwardShifts() {
    long seed = System.nanoTime();
    System.out.println("FrameIndexTest seed " + seed);
    Random r = new Random(seed);
    FrameIndex index = new FrameIndex(4);
    Map<Long, Long> model = new HashMap<>();
    List<Long> held = new ArrayList<>();
    long grown = index.heapBytes();
    for (int op = 0; op < 200_000; op++) {
      // Keys from a small range collide in probe runs, so removals shift entries back.
      long key = r.nextInt(4096);
      if (r.nextInt(3) > 0 && !model.containsKey(key)) {
        long val = r.nextLong() & Long.MAX_VALUE;
        grown += index.put(key, val);
        model.put(key, val);
        held.add(key);
      } else if (!held.isEmpty()) {
        long k = held.remove(r.nextInt(held.size()));
        long v = model.remove(k);
        assertFalse(index.removeIf(k, v ^ 1), "seed " + seed + ": removed with a wrong value");
        assertTrue(index.removeIf(k, v), "seed " + seed + ": key " + k + " not removed");
      }
      if (op % 1000 == 0) {
        for (long k = 0; k < 4096; k++) {
          Long want = model.get(k);
          assertEquals(want == null ? FrameIndex.EMPTY : want, index.get(k), "seed " + seed + ", key " + k);
        }
      }
      assertEquals(model.size(), index.size(), "seed " + seed);
    }
    assertEquals(grown, index.heapBytes(), "seed " + seed + ": growth reported to the caller");
  }

  @Test
  void aCapacityThatIsNotAPowerOfTwoIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new FrameIndex(3));
  }
}
