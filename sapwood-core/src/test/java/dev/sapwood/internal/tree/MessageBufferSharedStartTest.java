package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Keys that share a long start, as YCSB's do ({@code user} and nineteen digits, one partition's
 * keys agreeing in their first digits too): the kept prefixes are taken after the shared start, so
 * they tell the keys apart, and searches with keys inside, before, after and around that start
 * agree with a sorted set of the keys held.
 */
class MessageBufferSharedStartTest {
  private static byte[] ycsb(String start, Random rnd) {
    StringBuilder k = new StringBuilder(start);
    while (k.length() < 23) {
      k.append((char) ('0' + rnd.nextInt(10)));
    }
    return k.toString().getBytes();
  }

  private static byte[] probe(Random rnd, List<byte[]> held, String start) {
    int r = rnd.nextInt(6);
    if (r == 0 && !held.isEmpty()) {
      return held.get(rnd.nextInt(held.size()));
    }
    if (r == 1) {
      return start.substring(0, rnd.nextInt(start.length() + 1)).getBytes(); // a proper start, or empty
    }
    if (r == 2) {
      return ycsb("user", rnd); // most of these fall outside the shared start
    }
    if (r == 3) {
      return ycsb(start.substring(0, start.length() - 1) + (char) (start.charAt(start.length() - 1) + 1), rnd);
    }
    return ycsb(start, rnd);
  }

  @Test
  void searchesAgreeWithASortedSetWhenKeysShareALongStart() {
    long seed = new Random().nextLong();
    System.out.println("MessageBufferSharedStartTest seed " + seed);
    Random rnd = new Random(seed);
    byte[] v = new byte[10];
    for (int round = 0; round < 30; round++) {
      String what = "seed " + seed + " round " + round;
      String start = "user" + (10 + rnd.nextInt(80)) + (round % 2 == 0 ? "" : "4");
      MessageBuffer buf = new MessageBuffer();
      TreeSet<byte[]> model = new TreeSet<>(Keys::compare);
      List<byte[]> held = new ArrayList<>();
      long msn = 1;
      int n = 1 + rnd.nextInt(3000);
      for (int i = 0; i < n; i++) {
        // Now and then a key from outside the shared start, which must lower it.
        byte[] k = rnd.nextInt(500) == 0 ? ycsb("user", rnd) : ycsb(start, rnd);
        if (rnd.nextInt(4) == 0) {
          MessageBuffer run = new MessageBuffer();
          TreeSet<byte[]> sorted = new TreeSet<>(Keys::compare);
          for (int j = rnd.nextInt(30); j >= 0; j--) {
            sorted.add(ycsb(start, rnd));
          }
          for (byte[] rk : sorted) {
            run.add(MessageType.PUT, msn++, rk, 0, rk.length, v, 0, v.length, null);
          }
          buf.addSortedRun(run, 0, run.pointCount());
          model.addAll(sorted);
          held.addAll(sorted);
        } else {
          buf.add(MessageType.PUT, msn++, k, 0, k.length, v, 0, v.length, null);
          model.add(k);
          held.add(k);
        }
      }
      byte[] lo = model.first();
      byte[] hi = model.last();
      int shared = 0;
      while (shared < Math.min(lo.length, hi.length) && lo[shared] == hi[shared]) {
        shared++;
      }
      assertEquals(model.size() == 1 ? lo.length : shared, buf.prefixSkip(), what + ": the start every key shares is left out");
      if (new String(lo).startsWith(start) && new String(hi).startsWith(start)) {
        assertTrue(buf.prefixSkip() >= start.length(), what + ": skip " + buf.prefixSkip() + " under " + start);
      }
      for (int p = 0; p < 300; p++) {
        byte[] q = probe(rnd, held, start);
        int expected = 0;
        while (expected < buf.pointCount() && buf.compareKey(buf.point(expected), q) < 0) {
          expected++;
        }
        assertEquals(expected, buf.lowerBound(q), what + ": lower bound of " + new String(q));
        int inModel = model.headSet(q, false).size();
        int distinctBefore = 0;
        for (int i = 0; i < expected; i++) {
          if (i == 0 || !buf.sameKey(buf.point(i - 1), buf.point(i))) {
            distinctBefore++;
          }
        }
        assertEquals(inModel, distinctBefore, what + ": keys before " + new String(q));
      }
    }
  }
}
