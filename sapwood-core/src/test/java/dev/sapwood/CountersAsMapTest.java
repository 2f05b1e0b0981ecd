package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ADD_LONG counters and Codec.LONG share one encoding, so a map view reads the numbers added up. */
class CountersAsMapTest {
  @TempDir Path dir;

  @Test
  void aLongMapViewReadsAddLongCountersAsTheirSums() {
    long seed = System.nanoTime();
    System.out.println("CountersAsMapTest seed " + seed);
    Random rnd = new Random(seed);
    Map<String, Long> model = new HashMap<>();
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("counters");
      for (int i = 0; i < 2_000; i++) {
        String k = "c" + rnd.nextInt(50);
        long delta = rnd.nextInt(20_001) - 10_000;
        t.update(k.getBytes(StandardCharsets.UTF_8), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(delta));
        model.merge(k, delta, Long::sum);
      }
      t.update(b("page"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(4894));
      model.put("page", 4894L);
      NavigableMap<String, Long> view = t.asMap(Codec.STRING, Codec.LONG);
      assertEquals(model, Map.copyOf(view), "seed " + seed);
      assertEquals(4894L, view.get("page"), "the number in the issue, not -9223372036854770914");
    }
  }

  @Test
  void aValuePutThroughTheViewCanBeAddedTo() {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      NavigableMap<String, Long> view = t.asMap(Codec.STRING, Codec.LONG);
      for (long start : List.of(0L, 10L, -10L, Long.MAX_VALUE, Long.MIN_VALUE)) {
        view.put("n", start);
        t.update(b("n"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(5));
        assertEquals(start + 5, view.get("n"), "from " + start + " (overflow wraps)");
        assertEquals(start + 5, UpdateFunctions.toLong(t.get(b("n"))));
      }
    }
  }

  @Test
  void fromLongIsCodecLong() {
    for (long v : new long[] {0, 1, -1, 4894, Long.MIN_VALUE, Long.MAX_VALUE}) {
      assertArrayEquals(Codec.LONG.encode(v), UpdateFunctions.fromLong(v));
      assertEquals(v, Codec.LONG.decode(UpdateFunctions.fromLong(v)));
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
