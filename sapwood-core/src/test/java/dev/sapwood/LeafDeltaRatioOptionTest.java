package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Options#leafDeltaRatio}: its range, and that 0 turns leaf deltas off while 1 uses them. */
class LeafDeltaRatioOptionTest {
  @TempDir Path dir;

  @Test
  void theRatioIsCheckedAndDefaultsToOne() {
    assertEquals(1.0, Options.defaults().leafDeltaRatio());
    assertEquals(0.5, Options.defaults().leafDeltaRatio(0.5).leafDeltaRatio());
    assertThrows(IllegalArgumentException.class, () -> Options.defaults().leafDeltaRatio(-0.1));
    assertThrows(IllegalArgumentException.class, () -> Options.defaults().leafDeltaRatio(16.5));
    assertThrows(IllegalArgumentException.class, () -> Options.defaults().leafDeltaRatio(Double.NaN));
  }

  @Test
  void aRatioOfZeroAppendsToNoDeltaAndOneDoes() {
    assertEquals(0, appendsAfterARandomLoad(0.0, dir.resolve("off")), "appends with deltas off");
    assertTrue(appendsAfterARandomLoad(1.0, dir.resolve("on")) > 0, "no flush appended with ratio 1");
  }

  private static long appendsAfterARandomLoad(double ratio, Path path) {
    Options o = Options.defaults().cacheSize(1 << 20).nodeSize(64 << 10).basementSize(4 << 10).fanout(8)
        .leafDeltaRatio(ratio);
    int n = 60_000;
    try (Database db = Database.open(path, o)) {
      Tree t = db.tree("t");
      for (int r = 0; r < 2; r++) { // the second round flushes into leaves that already have deltas
        for (int i = 0; i < n; i++) {
          int k = (int) ((i * 2_654_435_761L) % n);
          t.put(key(k), value(k, r));
        }
      }
      for (int k = 0; k < n; k += 97) {
        assertArrayEquals(value(k, 1), t.get(key(k)), "key " + k);
      }
      return db.stats().get("flush.leaf_delta_appends");
    }
  }

  private static byte[] key(int k) {
    return String.format("k%09d", k).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static byte[] value(int k, int round) {
    byte[] v = new byte[60];
    Arrays.fill(v, (byte) (k * 31 + round));
    return v;
  }
}
