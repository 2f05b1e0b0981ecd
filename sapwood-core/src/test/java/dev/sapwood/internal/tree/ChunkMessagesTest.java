package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A chunk's messages ({@link ChunkMessages}): the one source holding messages of the range is used
 * where it is; several, or a snapshot's, are copied, and then hold exactly what copying each
 * source's range gives, in (key, MSN) order.
 */
class ChunkMessagesTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void put(MessageBuffer buf, String key, long msn) {
    byte[] k = b(key);
    byte[] v = b("v" + msn);
    buf.add(MessageType.PUT, msn, k, 0, k.length, v, 0, v.length, null);
  }

  private static void deleteRange(MessageBuffer buf, String from, String to, long msn) {
    byte[] k = b(from);
    byte[] v = b(to);
    buf.add(MessageType.DELETE_RANGE, msn, k, 0, k.length, v, 0, v.length, null);
  }

  private static List<String> points(MessageBuffer m, byte[] from, byte[] to) {
    List<String> out = new ArrayList<>();
    for (int i = m.lowerBound(from); i < m.lowerBoundOrEnd(to); i++) {
      out.add(new String(m.copyKey(m.point(i)), StandardCharsets.UTF_8) + "@" + m.msn(m.point(i)));
    }
    return out;
  }

  private static List<Long> ranges(MessageBuffer m, byte[] from, byte[] to) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < m.rangeCount(); i++) {
      if (m.rangeOverlaps(m.range(i), from, to)) {
        out.add(m.msn(m.range(i)));
      }
    }
    return out;
  }

  @Test
  void theOneSourceHoldingMessagesOfTheRangeIsUsedWhereItIs() {
    MessageBuffer outside = new MessageBuffer();
    put(outside, "a", 1);
    put(outside, "z", 2);
    MessageBuffer inside = new MessageBuffer();
    put(inside, "m", 3);
    ChunkMessages msgs = new ChunkMessages(b("k"), b("p"), Long.MAX_VALUE);
    assertFalse(msgs.add(outside), "no message of [k, p)");
    assertTrue(msgs.add(inside));
    assertEquals(1, msgs.sources());
    assertEquals(1, msgs.messages());
    assertSame(inside, msgs.collected());

    ChunkMessages none = new ChunkMessages(b("k"), b("p"), Long.MAX_VALUE);
    none.add(outside);
    assertEquals(0, none.collected().pointCount());
    assertEquals(0, none.collected().rangeCount());
  }

  @Test
  void severalSourcesAndSnapshotsAreCopiedInKeyAndMsnOrder() {
    long seed = new Random().nextLong();
    System.out.println("ChunkMessagesTest seed " + seed);
    Random rnd = new Random(seed);
    for (int round = 0; round < 200; round++) {
      int n = 1 + rnd.nextInt(4);
      List<MessageBuffer> sources = new ArrayList<>();
      long msn = 1;
      for (int s = 0; s < n; s++) { // older sources first, as a chunk adds them (deltas before the path above)
        MessageBuffer buf = new MessageBuffer(16);
        for (int i = rnd.nextInt(30); i > 0; i--) {
          if (rnd.nextInt(10) == 0) {
            char c = (char) ('a' + rnd.nextInt(26));
            deleteRange(buf, "" + c, "" + (char) (c + 1 + rnd.nextInt(3)), msn++);
          } else {
            put(buf, "" + (char) ('a' + rnd.nextInt(26)) + rnd.nextInt(10), msn++);
          }
        }
        sources.add(buf);
      }
      char f = (char) ('a' + rnd.nextInt(26));
      byte[] from = b("" + f);
      byte[] to = rnd.nextInt(5) == 0 ? null : b("" + (char) (f + 1 + rnd.nextInt(6)));
      long snapshot = rnd.nextBoolean() ? Long.MAX_VALUE : 1 + rnd.nextInt((int) msn);
      ChunkMessages msgs = new ChunkMessages(from, to, snapshot);
      MessageBuffer expected = new MessageBuffer();
      for (MessageBuffer s : sources) {
        msgs.add(s);
        s.copyRangeTo(from, to, expected, snapshot);
      }
      MessageBuffer got = msgs.collected();
      String at = "round " + round + " (seed " + seed + ")";
      assertEquals(points(expected, from, to), points(got, from, to), at);
      assertEquals(ranges(expected, from, to), ranges(got, from, to), at);
      if (msgs.sources() > 1 || snapshot != Long.MAX_VALUE && msgs.sources() == 1) {
        assertFalse(sources.contains(got), "a copy, not a source: " + at);
      }
    }
  }
}
