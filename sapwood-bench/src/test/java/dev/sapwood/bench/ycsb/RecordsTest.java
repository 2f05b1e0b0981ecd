package dev.sapwood.bench.ycsb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Merging encoded records field by field gives what decoding, overlaying and encoding gives. */
class RecordsTest {
  private static Map<String, byte[]> randomFields(Random rnd) {
    String[] names = {"field0", "field1", "field2", "field9", "a", "zz", "é", "field10"};
    Map<String, byte[]> m = new HashMap<>();
    int n = rnd.nextInt(names.length + 1);
    for (int i = 0; i < n; i++) {
      byte[] v = new byte[rnd.nextInt(20)];
      rnd.nextBytes(v);
      m.put(names[rnd.nextInt(names.length)], v);
    }
    return m;
  }

  @Test
  void mergeOverlaysTheUpdatesFields() {
    Random rnd = new Random(7);
    for (int t = 0; t < 2_000; t++) {
      Map<String, byte[]> old = randomFields(rnd);
      Map<String, byte[]> update = randomFields(rnd);
      Map<String, byte[]> expected = new HashMap<>(old);
      expected.putAll(update);
      assertArrayEquals(Records.encode(expected), Records.merge(Records.encode(old), Records.encode(update)),
          "old " + old.keySet() + " update " + update.keySet());
    }
  }
}
