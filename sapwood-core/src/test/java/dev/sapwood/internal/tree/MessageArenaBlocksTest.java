package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.stats.Counters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * A buffer's arena past its head: records in tail blocks, records that skip a block's end, records
 * larger than a block, cut-offs and compactions among them. Checked against a sorted map of each
 * key's newest message (adds fold with a combiner, so only the newest of a key is sure to stay),
 * and the arena's own sums: live bytes are the live records' sizes, capacity is what it holds.
 */
class MessageArenaBlocksTest {
  private static final Combiner COMBINER = new Combiner(MessageApplierTest.resolver(), (fn, e) -> { },
      new SnapshotRegistry(new Counters(), () -> Long.MAX_VALUE), new LongAdder());

  private record Last(byte type, byte[] value) {}

  private static byte[] key(Random rnd, int keys) {
    return String.format("key%06d", rnd.nextInt(keys)).getBytes();
  }

  private static byte[] value(Random rnd, long msn) {
    int r = rnd.nextInt(100);
    int len = r < 80 ? rnd.nextInt(200) : r < 97 ? 1000 + rnd.nextInt(5000) : MessageArena.BLOCK - 40 + rnd.nextInt(30_000);
    byte[] v = new byte[len];
    for (int i = 0; i < len; i += 97) {
      v[i] = (byte) (msn * 31 + i);
    }
    return v;
  }

  private static void check(MessageBuffer buf, TreeMap<byte[], Last> model, String what) {
    int live = 0;
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < buf.pointCount(); i++) {
      int rec = buf.point(i);
      live += buf.recordSize(rec);
      if (i > 0) {
        assertTrue(buf.compareRecords(buf.point(i - 1), rec) < 0, what + ": order at " + i);
      }
      boolean newest = i + 1 == buf.pointCount() || !buf.sameKey(rec, buf.point(i + 1));
      if (newest) {
        byte[] k = buf.copyKey(rec);
        keys.add(k);
        Last m = model.get(k);
        assertTrue(m != null, what + ": a key the model does not hold");
        assertEquals(m.type, buf.type(rec), what + ": type of the newest message");
        assertArrayEquals(m.value, buf.copyValue(rec), what + ": value of the newest message");
      }
    }
    assertEquals(model.size(), keys.size(), what + ": keys held");
    assertEquals(live, buf.bytes(), what + ": live bytes are the live records' sizes");
    assertTrue(buf.capacity() >= buf.bytes() + buf.deadBytes(), what + ": capacity holds every record");
    for (byte[] k : model.keySet()) {
      int i = buf.lowerBound(k);
      assertTrue(i < buf.pointCount() && buf.compareKey(buf.point(i), k) == 0, what + ": search finds a held key");
    }
  }

  @Test
  void recordsAcrossBlocksStayWholeThroughAddsRunsFoldsAndCompactions() {
    long seed = new Random().nextLong();
    System.out.println("MessageArenaBlocksTest seed " + seed);
    Random rnd = new Random(seed);
    int withTail = 0;
    for (int round = 0; round < 30; round++) {
      String what = "seed " + seed + " round " + round;
      MessageBuffer buf = new MessageBuffer();
      TreeMap<byte[], Last> model = new TreeMap<>(Keys::compare);
      int keys = 1 + rnd.nextInt(round % 3 == 0 ? 20 : 2000);
      long msn = 1;
      int steps = 200 + rnd.nextInt(1500);
      for (int s = 0; s < steps; s++) {
        int op = rnd.nextInt(20);
        if (op < 16) {
          byte[] k = key(rnd, keys);
          byte type = rnd.nextInt(8) == 0 ? MessageType.DELETE : MessageType.PUT;
          byte[] v = type == MessageType.PUT ? value(rnd, msn) : new byte[0];
          buf.add(type, msn++, k, 0, k.length, v, 0, v.length, null, COMBINER);
          model.put(k, new Last(type, v));
        } else if (op < 19) {
          MessageBuffer run = new MessageBuffer();
          TreeMap<byte[], byte[]> sorted = new TreeMap<>(Keys::compare);
          int n = 1 + rnd.nextInt(40);
          for (int i = 0; i < n; i++) {
            sorted.put(key(rnd, keys), value(rnd, msn + i));
          }
          for (Map.Entry<byte[], byte[]> e : sorted.entrySet()) {
            byte[] k = e.getKey();
            byte[] v = e.getValue();
            run.add(MessageType.PUT, msn++, k, 0, k.length, v, 0, v.length, null);
            model.put(k, new Last(MessageType.PUT, v));
          }
          buf.addSortedRun(run, 0, run.pointCount(), COMBINER);
        } else if (rnd.nextInt(10) == 0) {
          buf.clear();
          model.clear();
        }
        if (s % 97 == 0) {
          check(buf, model, what + " step " + s);
        }
      }
      if (buf.hasTail()) {
        withTail++;
      }
      check(buf, model, what);
    }
    assertTrue(withTail > 0, "no round grew a tail: the test does not reach the blocks");
  }

  @Test
  void aGrowingArenaNeverCopiesWhatItHoldsPastItsHead() {
    MessageBuffer buf = new MessageBuffer();
    byte[] v = new byte[100];
    List<byte[]> arrays = new ArrayList<>();
    List<Integer> recs = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      byte[] k = String.format("k%08d", i).getBytes();
      buf.add(MessageType.PUT, i + 1, k, 0, k.length, v, 0, v.length, null);
      int rec = buf.point(i);
      recs.add(rec);
      arrays.add(buf.arena(rec));
    }
    assertTrue(buf.hasTail(), "2000 records of 123 bytes reach past the head");
    int moved = 0;
    for (int i = 0; i < recs.size(); i++) {
      if (buf.arena(recs.get(i)) != arrays.get(i)) {
        moved++;
      }
      assertArrayEquals(String.format("k%08d", i).getBytes(), buf.copyKey(recs.get(i)));
    }
    assertTrue(moved * (long) 123 <= MessageArena.BLOCK, "only records in the head were copied: " + moved);
    assertTrue(buf.capacity() <= buf.bytes() + MessageArena.BLOCK + 4096,
        "capacity " + buf.capacity() + " for " + buf.bytes() + " bytes: at most one block beyond them");
  }

  @Test
  void aRootsInsertsGrowTheHeadToABlockOncePastASixteenthInsteadOfDoubling() {
    MessageBuffer root = new MessageBuffer();
    MessageBuffer plain = new MessageBuffer();
    byte[] small = new byte[10];
    byte[] large = new byte[1000];
    List<byte[]> rootHeads = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      byte[] k = String.format("k%08d", i).getBytes();
      byte[] v = i < 4 ? small : large;
      root.add(MessageType.PUT, i + 1, k, 0, k.length, v, 0, v.length, null, COMBINER);
      plain.add(MessageType.PUT, i + 1, k, 0, k.length, v, 0, v.length, null);
      byte[] head = root.arena(root.point(0));
      if (rootHeads.isEmpty() || rootHeads.get(rootHeads.size() - 1) != head) {
        rootHeads.add(head);
      }
    }
    assertFalse(root.hasTail(), "11 records of at most 1,030 bytes fit one block");
    byte[] last = rootHeads.get(rootHeads.size() - 1);
    assertEquals(MessageArena.BLOCK, last.length, "the root's head became a whole block");
    for (byte[] h : rootHeads.subList(0, rootHeads.size() - 1)) {
      assertTrue(h.length <= MessageArena.BLOCK / 16, "before that it grew by doubling while small: " + h.length);
    }
    assertTrue(plain.arena(plain.point(0)).length < MessageArena.BLOCK,
        "a plain add still doubles: " + plain.arena(plain.point(0)).length);
    for (int i = 0; i < 11; i++) {
      assertArrayEquals(String.format("k%08d", i).getBytes(), root.copyKey(root.point(i)));
      assertArrayEquals(i < 4 ? small : large, root.copyValue(root.point(i)));
    }
    assertEquals(plain.bytes(), root.bytes());
  }

  @Test
  void anOversizedRecordHasAnArrayOfItsOwnAndTheNextStartsABlock() {
    MessageBuffer buf = new MessageBuffer();
    byte[] small = new byte[50];
    byte[] big = new byte[3 * MessageArena.BLOCK + 5];
    Arrays.fill(big, (byte) 7);
    byte[][] keys = {"a".getBytes(), "b".getBytes(), "c".getBytes(), "d".getBytes()};
    buf.add(MessageType.PUT, 1, keys[0], 0, 1, small, 0, small.length, null);
    buf.add(MessageType.PUT, 2, keys[1], 0, 1, big, 0, big.length, null);
    buf.add(MessageType.PUT, 3, keys[2], 0, 1, small, 0, small.length, null);
    buf.add(MessageType.PUT, 4, keys[3], 0, 1, big, 0, big.length, null);
    int b = buf.point(1);
    assertEquals(buf.recordSize(b), buf.arena(b).length, "the oversized record's array is its size");
    assertEquals(0, buf.at(b));
    assertFalse(buf.arena(buf.point(2)) == buf.arena(b));
    assertEquals(0, buf.at(buf.point(2)), "the record after it starts a block");
    assertArrayEquals(big, buf.copyValue(buf.point(3)));
    assertSame(buf.arena(buf.point(0)), buf.arena(buf.point(0)));
    int sizes = 0;
    for (int i = 0; i < 4; i++) {
      sizes += buf.recordSize(buf.point(i));
    }
    assertEquals(sizes, buf.bytes());
  }
}
