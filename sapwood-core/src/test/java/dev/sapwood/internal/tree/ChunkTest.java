package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A chunk's entries in one array: copies out, overlays in key order, reuse after a reset. */
class ChunkTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void emit(Chunk c, String k, String v) {
    byte[] kb = b("<" + k + ">");
    byte[] vb = b("[" + v + "]");
    c.emit(kb, 1, kb.length - 2, vb, 1, vb.length - 2); // from inside larger arrays
  }

  private static List<String> entries(Chunk c) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < c.size(); i++) {
      out.add(new String(c.key(i), StandardCharsets.UTF_8) + "=" + new String(c.value(i), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void keysAndValuesComeOutAsCopiesOfWhatWasEmitted() {
    Chunk c = new Chunk();
    emit(c, "a", "1");
    emit(c, "bb", "");
    emit(c, "c", "333");
    assertEquals(List.of("a=1", "bb=", "c=333"), entries(c));
    c.key(0)[0] = 'z';
    c.value(2)[0] = '9';
    assertEquals(List.of("a=1", "bb=", "c=333"), entries(c), "a returned array is the caller's");
    assertArrayEquals(b("bb\0"), c.keySuccessor(1));
    assertTrue(c.compareKey(1, b("b")) > 0);
    assertEquals(0, c.compareKey(1, b("bb")));
    assertTrue(c.compareKey(1, b("bc")) < 0);
    assertThrows(IndexOutOfBoundsException.class, () -> c.key(3));
    assertThrows(IndexOutOfBoundsException.class, () -> c.value(-1));
  }

  @Test
  void aLimitedChunkIsFullAtItsLimit() {
    Chunk c = new Chunk(2);
    emit(c, "a", "1");
    assertFalse(c.full());
    emit(c, "b", "2");
    assertTrue(c.full());
    c.reset(3);
    assertFalse(c.full());
    assertThrows(IllegalArgumentException.class, () -> c.reset(0));
  }

  @Test
  void overlaysKeepKeyOrderAndMatchAModel() {
    long seed = new Random().nextLong();
    System.out.println("ChunkTest seed " + seed);
    Random rnd = new Random(seed);
    Chunk c = new Chunk();
    for (int round = 0; round < 20; round++) {
      c.reset(Integer.MAX_VALUE);
      TreeMap<String, String> model = new TreeMap<>();
      int n = rnd.nextInt(200);
      for (int i = 0; i < n; i++) {
        model.put(String.format("k%04d", rnd.nextInt(1000)), "v" + rnd.nextInt(1 << 20));
      }
      model.forEach((k, v) -> emit(c, k, v));
      for (int i = 0; i < 100; i++) {
        String k = String.format("k%04d", rnd.nextInt(1000));
        if (rnd.nextInt(3) == 0) {
          c.overlay(b(k), null);
          model.remove(k);
        } else {
          String v = "o" + "x".repeat(rnd.nextInt(40));
          c.overlay(b(k), b(v));
          model.put(k, v);
        }
      }
      List<String> expected = new ArrayList<>();
      for (Map.Entry<String, String> e : model.entrySet()) {
        expected.add(e.getKey() + "=" + e.getValue());
      }
      assertEquals(expected, entries(c), "seed " + seed + " round " + round);
    }
  }

  @Test
  void aResetChunkAnswersOnlyWhatWasEmittedSinceAndLetsGoOfLargeArrays() {
    Chunk c = new Chunk(Integer.MAX_VALUE);
    String big = "v".repeat(1000);
    for (int i = 0; i < 2000; i++) { // about 2 MB: past what a reset keeps
      emit(c, String.format("k%05d", i), big);
    }
    c.next = b("next");
    c.atEnd = true;
    assertTrue(c.bytesHeld() > Chunk.KEEP_BYTES);
    c.reset(16);
    assertEquals(0, c.size());
    assertNull(c.next());
    assertFalse(c.atEnd());
    assertTrue(c.bytesHeld() <= Chunk.KEEP_BYTES, "held " + c.bytesHeld() + " bytes after a reset");
    emit(c, "x", "1");
    assertEquals(List.of("x=1"), entries(c));
  }
}
