package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageBufferTest {

  /** A message as the tests model it. */
  record Msg(byte type, long msn, byte[] key, byte[] value, String fn) {
    int size() {
      return MessageBuffer.HEADER + key.length + 4 + value.length
          + (MessageType.hasFunction(type) ? 1 + fn.getBytes(StandardCharsets.UTF_8).length : 0);
    }

    @Override
    public String toString() {
      return "Msg{t=" + type + ", msn=" + msn + ", key=" + str(key) + ", value=" + Arrays.toString(value) + ", fn=" + fn + "}";
    }
  }

  static final Comparator<Msg> BY_KEY_MSN =
      Comparator.<Msg, byte[]>comparing(Msg::key, Keys::compare).thenComparingLong(Msg::msn);

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String str(byte[] k) {
    return k == null ? "null" : new String(k, StandardCharsets.ISO_8859_1);
  }

  static void add(MessageBuffer buf, Msg m) {
    buf.add(m.type, m.msn, m.key, 0, m.key.length, m.value, 0, m.value.length,
        m.fn == null ? null : m.fn.getBytes(StandardCharsets.UTF_8));
  }

  static Msg read(MessageBuffer buf, int rec) {
    byte t = buf.type(rec);
    return new Msg(t, buf.msn(rec), buf.copyKey(rec), buf.copyValue(rec),
        MessageType.hasFunction(t) ? buf.functionName(rec) : null);
  }

  static List<Msg> points(MessageBuffer buf) {
    List<Msg> out = new ArrayList<>();
    for (int i = 0; i < buf.pointCount(); i++) {
      out.add(read(buf, buf.point(i)));
    }
    return out;
  }

  static List<Msg> ranges(MessageBuffer buf) {
    List<Msg> out = new ArrayList<>();
    for (int i = 0; i < buf.rangeCount(); i++) {
      out.add(read(buf, buf.range(i)));
    }
    return out;
  }

  static byte[] key(int i) {
    return b(String.format("k%03d", i));
  }

  /** Random messages of every type over keys k000..k{keys-1}, MSNs 1..count in order. */
  static List<Msg> randomMessages(Random rnd, int count, int keys, long firstMsn) {
    List<Msg> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long msn = firstMsn + i;
      int t = rnd.nextInt(10);
      byte[] k = key(rnd.nextInt(keys));
      if (t < 5) {
        byte[] v = new byte[rnd.nextInt(12)];
        rnd.nextBytes(v);
        out.add(new Msg(MessageType.PUT, msn, k, v, null));
      } else if (t < 7) {
        out.add(new Msg(MessageType.DELETE, msn, k, new byte[0], null));
      } else if (t < 9) {
        out.add(new Msg(MessageType.UPDATE, msn, k, b("x" + rnd.nextInt(10)), "sapwood.append"));
      } else {
        int a = rnd.nextInt(keys);
        int e = a + 1 + rnd.nextInt(Math.max(1, keys / 5));
        out.add(new Msg(MessageType.DELETE_RANGE, msn, key(a), key(e), null));
      }
    }
    return out;
  }

  static void assertSameMessages(List<Msg> expected, List<Msg> actual, String what) {
    assertEquals(expected.size(), actual.size(), what + ": count");
    for (int i = 0; i < expected.size(); i++) {
      Msg e = expected.get(i);
      Msg a = actual.get(i);
      String at = what + ": message " + i + " expected " + e + " got " + a;
      assertEquals(e.type, a.type, at);
      assertEquals(e.msn, a.msn, at);
      assertArrayEquals(e.key, a.key, at);
      assertArrayEquals(e.value, a.value, at);
      assertEquals(e.fn, a.fn, at);
    }
  }

  private static List<Msg> sortedPoints(List<Msg> all) {
    List<Msg> p = new ArrayList<>(all.stream().filter(m -> m.type != MessageType.DELETE_RANGE).toList());
    p.sort(BY_KEY_MSN);
    return p;
  }

  private static List<Msg> sortedRanges(List<Msg> all) {
    List<Msg> r = new ArrayList<>(all.stream().filter(m -> m.type == MessageType.DELETE_RANGE).toList());
    r.sort(Comparator.comparingLong(Msg::msn));
    return r;
  }

  @Test
  void pointsStaySortedByKeyThenMsnWhateverTheInsertionOrder() {
    for (long seed = 1; seed <= 30; seed++) {
      Random rnd = new Random(seed);
      List<Msg> msgs = randomMessages(rnd, 1 + rnd.nextInt(300), 1 + rnd.nextInt(40), 1);
      Collections.shuffle(msgs, rnd);
      MessageBuffer buf = new MessageBuffer(rnd.nextInt(100));
      for (Msg m : msgs) {
        add(buf, m);
      }
      assertSameMessages(sortedPoints(msgs), points(buf), "points, seed " + seed);
      assertSameMessages(sortedRanges(msgs), ranges(buf), "ranges, seed " + seed);
    }
  }

  @Test
  void sortedAndReverseInsertionGiveTheSameOrder() {
    List<Msg> msgs = randomMessages(new Random(7), 200, 20, 1);
    List<Msg> sorted = sortedPoints(msgs);
    List<Msg> rev = new ArrayList<>(sorted);
    Collections.reverse(rev);
    MessageBuffer a = new MessageBuffer();
    MessageBuffer b = new MessageBuffer();
    sorted.forEach(m -> add(a, m));
    rev.forEach(m -> add(b, m));
    assertSameMessages(sorted, points(a), "sorted insertion");
    assertSameMessages(sorted, points(b), "reverse insertion");
  }

  @Test
  void lowerBoundFindsTheFirstPointAtOrAboveTheKey() {
    for (long seed = 1; seed <= 20; seed++) {
      Random rnd = new Random(seed);
      List<Msg> msgs = randomMessages(rnd, rnd.nextInt(200), 30, 1);
      Collections.shuffle(msgs, rnd);
      MessageBuffer buf = new MessageBuffer();
      msgs.forEach(m -> add(buf, m));
      List<Msg> pts = sortedPoints(msgs);
      assertEquals(0, buf.lowerBound(null), "seed " + seed);
      assertEquals(buf.pointCount(), buf.lowerBoundOrEnd(null), "seed " + seed);
      for (int probe = -1; probe <= 31; probe++) {
        byte[] k = probe < 0 ? new byte[0] : key(probe);
        for (byte[] q : new byte[][] {k, Keys.successor(k)}) {
          int expected = 0;
          while (expected < pts.size() && Keys.compare(pts.get(expected).key, q) < 0) {
            expected++;
          }
          assertEquals(expected, buf.lowerBound(q), "seed " + seed + " probe " + str(q));
          assertEquals(expected, buf.lowerBoundOrEnd(q), "seed " + seed + " probe " + str(q));
        }
      }
    }
  }

  @Test
  void copyRangeToSelectsExactlyThePointsInRangeAndOverlappingRanges() {
    for (long seed = 1; seed <= 40; seed++) {
      Random rnd = new Random(seed);
      List<Msg> msgs = randomMessages(rnd, rnd.nextInt(250), 40, 1);
      Collections.shuffle(msgs, rnd);
      MessageBuffer buf = new MessageBuffer();
      msgs.forEach(m -> add(buf, m));
      for (int trial = 0; trial < 20; trial++) {
        byte[] lo = rnd.nextInt(5) == 0 ? null : key(rnd.nextInt(42));
        byte[] hi = rnd.nextInt(5) == 0 ? null : key(rnd.nextInt(42));
        if (lo != null && hi != null && Keys.compare(lo, hi) > 0) {
          byte[] t = lo;
          lo = hi;
          hi = t;
        }
        final byte[] l = lo;
        final byte[] h = hi;
        MessageBuffer dst = new MessageBuffer();
        buf.copyRangeTo(lo, hi, dst);
        List<Msg> ep = sortedPoints(msgs).stream()
            .filter(m -> (l == null || Keys.compare(m.key, l) >= 0) && (h == null || Keys.compare(m.key, h) < 0))
            .toList();
        List<Msg> er = sortedRanges(msgs).stream()
            .filter(m -> (h == null || Keys.compare(m.key, h) < 0) && (l == null || Keys.compare(m.value, l) > 0))
            .toList();
        String what = "seed " + seed + " [" + str(lo) + ", " + str(hi) + ")";
        assertSameMessages(ep, points(dst), what + " points");
        assertSameMessages(er, ranges(dst), what + " ranges");
        // the source is untouched
        assertSameMessages(sortedPoints(msgs), points(buf), what + " source");
      }
    }
  }

  @Test
  void addSortedRunMergesLikeAddingOneByOne() {
    for (long seed = 1; seed <= 40; seed++) {
      Random rnd = new Random(seed);
      List<Msg> existing = randomMessages(rnd, rnd.nextInt(100), 30, 1);
      List<Msg> incoming = randomMessages(rnd, rnd.nextInt(100), 30, 1000);
      Collections.shuffle(existing, rnd);
      MessageBuffer src = new MessageBuffer();
      incoming.forEach(m -> add(src, m));
      int from = src.pointCount() == 0 ? 0 : rnd.nextInt(src.pointCount());
      int to = from + (src.pointCount() == from ? 0 : rnd.nextInt(src.pointCount() - from + 1));
      MessageBuffer merged = new MessageBuffer();
      MessageBuffer oneByOne = new MessageBuffer();
      existing.forEach(m -> {
        add(merged, m);
        add(oneByOne, m);
      });
      merged.addSortedRun(src, from, to);
      for (int i = from; i < to; i++) {
        oneByOne.addCopy(src, src.point(i));
      }
      String what = "seed " + seed + " run [" + from + ", " + to + ")";
      assertSameMessages(points(oneByOne), points(merged), what);
      assertSameMessages(ranges(oneByOne), ranges(merged), what + " ranges");
      assertEquals(oneByOne.bytes(), merged.bytes(), what + " bytes");
      List<Msg> model = new ArrayList<>(existing);
      model.addAll(points(src).subList(from, to));
      assertSameMessages(sortedPoints(model), points(merged), what + " vs model");
    }
  }

  @Test
  void addSortedRunWithALongRunIntoAnInterleavedBuffer() {
    MessageBuffer dst = new MessageBuffer();
    MessageBuffer src = new MessageBuffer();
    List<Msg> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Msg a = new Msg(MessageType.PUT, 100 + i, key(i * 2), b("d" + i), null);
      Msg c = new Msg(MessageType.PUT, 500 + i, key(i * 2 + (i % 2)), b("s" + i), null);
      add(dst, a);
      add(src, c);
      all.add(a);
      all.add(c);
    }
    dst.addSortedRun(src, 0, src.pointCount());
    assertSameMessages(sortedPoints(all), points(dst), "interleaved");
  }

  @Test
  void mergedSiblingBuffersClipRangeMessagesAtTheSeparator() {
    MessageBuffer left = new MessageBuffer();
    MessageBuffer right = new MessageBuffer();
    Msg shared = new Msg(MessageType.DELETE_RANGE, 5, key(1), key(9), null);
    Msg onlyRight = new Msg(MessageType.DELETE_RANGE, 7, key(6), key(8), null);
    Msg onlyLeft = new Msg(MessageType.DELETE_RANGE, 9, key(0), key(2), null);
    add(left, shared);
    add(left, onlyLeft);
    add(right, shared);
    add(right, onlyRight);
    Msg p1 = new Msg(MessageType.PUT, 3, key(2), b("a"), null);
    Msg p2 = new Msg(MessageType.DELETE, 8, key(7), new byte[0], null);
    add(left, p1);
    add(right, p2);
    MessageBuffer merged = MessageBuffer.merged(left, right, key(5));
    Msg sharedLeft = new Msg(MessageType.DELETE_RANGE, 5, key(1), key(5), null);
    Msg sharedRight = new Msg(MessageType.DELETE_RANGE, 5, key(5), key(9), null);
    assertSameMessages(List.of(sharedLeft, sharedRight, onlyRight, onlyLeft), ranges(merged), "ranges after merge");
    assertSameMessages(List.of(p1, p2), points(merged), "points after merge");
    assertEquals(p1.size() + p2.size() + sharedLeft.size() + sharedRight.size() + onlyRight.size() + onlyLeft.size(), merged.bytes());
  }

  @Test
  void aRangeUpdateSplitByAMergeKeepsItsFunctionArgumentAndUnboundedEnd() {
    MessageBuffer left = new MessageBuffer();
    MessageBuffer right = new MessageBuffer();
    String fn = "sapwood.append";
    Msg all = new Msg(MessageType.UPDATE_RANGE, 4, new byte[0], RangeUpdates.encode(null, b("arg")), fn);
    add(left, all);
    add(right, all);
    MessageBuffer merged = MessageBuffer.merged(left, right, key(5));
    Msg lower = new Msg(MessageType.UPDATE_RANGE, 4, new byte[0], RangeUpdates.encode(key(5), b("arg")), fn);
    Msg upper = new Msg(MessageType.UPDATE_RANGE, 4, key(5), RangeUpdates.encode(null, b("arg")), fn);
    assertSameMessages(List.of(lower, upper), ranges(merged), "halves of the broadcast");
    assertTrue(merged.rangeCovers(merged.range(1), key(200), 0, key(200).length), "the upper half has no end");
    assertFalse(merged.rangeCovers(merged.range(0), key(5), 0, key(5).length), "the lower half ends at the separator");
    assertArrayEquals(b("arg"), merged.copyRangeArgument(merged.range(0)));
  }

  @Test
  void bytesIsTheSumOfRecordSizes() {
    for (long seed = 1; seed <= 20; seed++) {
      Random rnd = new Random(seed);
      List<Msg> msgs = randomMessages(rnd, rnd.nextInt(300), 50, 1);
      MessageBuffer buf = new MessageBuffer(1);
      long expected = 0;
      for (Msg m : msgs) {
        add(buf, m);
        expected += m.size();
        assertEquals(expected, buf.bytes(), "seed " + seed);
      }
      long sum = 0;
      for (int i = 0; i < buf.pointCount(); i++) {
        sum += buf.recordSize(buf.point(i));
      }
      for (int i = 0; i < buf.rangeCount(); i++) {
        sum += buf.recordSize(buf.range(i));
      }
      assertEquals(expected, sum, "seed " + seed);
      long max = msgs.stream().mapToLong(Msg::msn).max().orElse(0);
      assertEquals(max, buf.maxMsn(), "seed " + seed);
      buf.clear();
      assertEquals(0, buf.bytes());
      assertTrue(buf.isEmpty());
    }
  }
}
