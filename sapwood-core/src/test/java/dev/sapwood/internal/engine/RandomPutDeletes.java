package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sapwood.Cursor;
import dev.sapwood.Tree;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A random load of puts and deletes over a fixed set of keys, mirrored in a sorted map and checked
 * against it, by get and by a full cursor, every so many steps: the loop the model tests of
 * parking and block reuse share ({@code BlockReuseModelTest}, {@code FlushParkingTest}).
 *
 * @param deleteOneIn one step in this many deletes its key; the others put
 * @param minValue a put's value is at least this long
 * @param valueSpread and up to this many bytes longer (random bytes)
 * @param stampBytes its first bytes hold the step number (so a value read from the wrong step shows)
 */
record RandomPutDeletes(int deleteOneIn, int minValue, int valueSpread, int stampBytes) {
  /** Key {@code i} of a load's keys: spread over the key space, not in step order. */
  static byte[] key(int i) {
    return String.format("key%07d", i * 7919 % 1_000_003).getBytes();
  }

  /**
   * Runs {@code steps} random puts and deletes of keys {@code 0..keys-1} on {@code t} and in
   * {@code model}, checking the two agree every {@code checkEvery} steps ({@code when}: what a
   * failure names first, such as the seed).
   */
  void run(Tree t, TreeMap<byte[], byte[]> model, Random r, int keys, int steps, int checkEvery, String when) {
    for (int step = 0; step < steps; step++) {
      byte[] k = key(r.nextInt(keys));
      if (r.nextInt(deleteOneIn) == 0) {
        t.delete(k);
        model.remove(k);
      } else {
        byte[] v = new byte[minValue + r.nextInt(valueSpread)];
        r.nextBytes(v);
        Arrays.fill(v, 0, stampBytes, (byte) step);
        t.put(k, v);
        model.put(k, v);
      }
      if (step % checkEvery == checkEvery - 1) {
        check(t, model, when + " step " + step);
      }
    }
  }

  /** A sorted map to mirror a load in: keys ordered as the tree orders them. */
  static TreeMap<byte[], byte[]> newModel() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  /** Every key of {@code model} reads back by get, and a full cursor sees exactly the model. */
  static void check(Tree t, TreeMap<byte[], byte[]> model, String when) {
    for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
      assertArrayEquals(e.getValue(), t.get(e.getKey()), when + ": get of " + new String(e.getKey()));
    }
    int n = 0;
    try (Cursor c = t.cursor()) {
      for (boolean ok = c.first(); ok; ok = c.next()) {
        assertArrayEquals(model.get(c.key()), c.value(), when + ": cursor at " + new String(c.key()));
        n++;
      }
    }
    assertEquals(model.size(), n, when + ": keys the cursor saw");
  }
}
