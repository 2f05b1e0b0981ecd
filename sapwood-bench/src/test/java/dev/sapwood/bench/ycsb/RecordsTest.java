package dev.sapwood.bench.ycsb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.RandomByteIterator;

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

  @Test
  void encodingFromTheIteratorsGivesTheEncodingOfTheirBytes() {
    Random rnd = new Random(13);
    for (int t = 0; t < 2_000; t++) {
      Map<String, byte[]> fields = randomFields(rnd);
      Map<String, ByteIterator> iterators = new HashMap<>();
      fields.forEach((name, v) -> iterators.put(name, new ByteArrayByteIterator(v)));
      assertArrayEquals(Records.encode(fields), Records.encodeFields(iterators), "fields " + fields.keySet());
    }
    for (int t = 0; t < 200; t++) { // YCSB's random values: written in steps of six, past a field's end
      Map<String, ByteIterator> random = new HashMap<>();
      for (int f = rnd.nextInt(12); f >= 0; f--) {
        random.put("field" + f, new RandomByteIterator(rnd.nextInt(130)));
      }
      byte[] record = Records.encodeFields(random);
      assertEquals(random.size(), Records.check(record));
      Map<String, byte[]> decoded = Records.decode(record, null);
      assertEquals(random.keySet(), decoded.keySet());
      decoded.forEach((name, v) -> assertEquals(0, random.get(name).bytesLeft(), name + " consumed"));
      assertArrayEquals(record, Records.encode(decoded));
    }
  }

  @Test
  void decodingIntoAMapGivesEveryWantedFieldAndCheckRefusesTruncatedRecords() {
    Random rnd = new Random(11);
    for (int t = 0; t < 2_000; t++) {
      Map<String, byte[]> fields = randomFields(rnd);
      byte[] record = Records.encode(fields);
      Set<String> wanted = rnd.nextBoolean() ? null : Set.of("field1", "zz");
      Map<String, ByteIterator> got = new HashMap<>();
      Records.decodeInto(record, wanted, got);
      Map<String, byte[]> expected = Records.decode(record, wanted);
      assertEquals(expected.keySet(), got.keySet());
      for (Map.Entry<String, byte[]> e : expected.entrySet()) {
        assertArrayEquals(e.getValue(), got.get(e.getKey()).toArray());
      }
      assertEquals(fields.size(), Records.check(record));
      if (record.length > 2) {
        byte[] cut = Arrays.copyOf(record, rnd.nextInt(record.length - 1) + 1);
        assertThrows(IllegalArgumentException.class, () -> Records.check(cut));
      }
    }
  }
}
