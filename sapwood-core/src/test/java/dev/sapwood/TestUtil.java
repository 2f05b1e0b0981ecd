package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Small helpers shared by the public-API tests. */
final class TestUtil {
  private TestUtil() {}

  /** A map ordered the way Sapwood orders keys: unsigned lexicographic. */
  static TreeMap<byte[], byte[]> newModel() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  /** Hex of at most the first 24 bytes, with the length; for failure messages. */
  static String hex(byte[] b) {
    if (b == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    int n = Math.min(b.length, 24);
    for (int i = 0; i < n; i++) {
      sb.append(Character.forDigit((b[i] >> 4) & 0xF, 16)).append(Character.forDigit(b[i] & 0xF, 16));
    }
    if (b.length > n) {
      sb.append("..");
    }
    return sb.append("(").append(b.length).append(")").toString();
  }

  /**
   * {@code assertArrayEquals}, with its byte-by-byte loop run only on a mismatch (for its message):
   * a vectorized {@link Arrays#equals} first, for checks that compare the whole model's values
   * again and again (the model tests' scans after every checkpoint and reopen).
   */
  static void assertBytesEqual(byte[] expected, byte[] actual, Supplier<String> message) {
    if (!Arrays.equals(expected, actual)) {
      assertArrayEquals(expected, actual, message);
    }
  }

  /** Asserts that a full forward scan and a full backward scan of {@code tree} equal {@code model}. */
  static void assertScansEqual(Tree tree, NavigableMap<byte[], byte[]> model, String context) {
    try (Cursor c = tree.cursor()) {
      Iterator<Map.Entry<byte[], byte[]>> fwd = model.entrySet().iterator();
      int i = 0;
      for (boolean ok = c.first(); ok; ok = c.next(), i++) {
        assertTrue(fwd.hasNext(), () -> context + ": forward scan returned extra key " + hex(c.key()));
        Map.Entry<byte[], byte[]> e = fwd.next();
        final int at = i;
        assertBytesEqual(e.getKey(), c.key(), () -> context + ": forward scan key #" + at);
        assertBytesEqual(e.getValue(), c.value(), () -> context + ": forward scan value #" + at + " key " + hex(e.getKey()));
      }
      assertFalse(fwd.hasNext(), () -> context + ": forward scan ended early; missing " + hex(fwd.next().getKey()));
      assertFalse(c.isValid(), context + ": cursor valid after running off the end");

      Iterator<Map.Entry<byte[], byte[]>> bwd = model.descendingMap().entrySet().iterator();
      i = 0;
      for (boolean ok = c.last(); ok; ok = c.prev(), i++) {
        assertTrue(bwd.hasNext(), () -> context + ": backward scan returned extra key " + hex(c.key()));
        Map.Entry<byte[], byte[]> e = bwd.next();
        final int at = i;
        assertBytesEqual(e.getKey(), c.key(), () -> context + ": backward scan key #" + at);
        assertBytesEqual(e.getValue(), c.value(), () -> context + ": backward scan value #" + at + " key " + hex(e.getKey()));
      }
      assertFalse(bwd.hasNext(), () -> context + ": backward scan ended early; missing " + hex(bwd.next().getKey()));
    }
  }

  /** Asserts that every key of {@code model} reads back its value with {@code get}. */
  static void assertGetsEqual(Tree tree, NavigableMap<byte[], byte[]> model, String context) {
    for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
      assertBytesEqual(e.getValue(), tree.get(e.getKey()), () -> context + ": get " + hex(e.getKey()));
    }
  }
}
