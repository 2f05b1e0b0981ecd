package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.stats.Counters;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The key prefixes a buffer keeps beside its point offsets: whatever adds, folds, merges in sorted
 * runs and compactions did, each prefix is its key's, the points stay in (key, msn) order, and a
 * lower-bound search agrees with a scan — with keys that share their first eight bytes, are
 * shorter than eight, or hold zero bytes (where prefixes tie and the arena decides). The prefixes
 * are taken after the start every point key shares ({@link MessageIndex#prefixSkip}).
 */
class MessageBufferPrefixTest {
  private static final byte[] ALPHABET = {0, 1, 'u', (byte) 0xFF};

  private static byte[] key(Random rnd) {
    byte[] k = new byte[rnd.nextInt(13)];
    for (int i = 0; i < k.length; i++) {
      k[i] = i < 6 && rnd.nextInt(4) > 0 ? (byte) 'u' : ALPHABET[rnd.nextInt(ALPHABET.length)];
    }
    return k;
  }

  private static void check(MessageBuffer buf, Random rnd, String what) {
    for (int i = 0; i < buf.pointCount(); i++) {
      int r = buf.point(i);
      byte[] k = buf.copyKey(r);
      int skip = buf.prefixSkip();
      byte[] first = buf.copyKey(buf.point(0));
      assertTrue(k.length >= skip && Arrays.equals(k, 0, skip, first, 0, skip), what + " point " + i + " shares the start");
      assertEquals(Keys.prefix(k, skip, k.length - skip), buf.pointPrefix(i), what + " prefix of point " + i);
      if (i > 0) {
        assertTrue(buf.compareRecords(buf.point(i - 1), r) <= 0, what + " order at " + i);
      }
    }
    for (int probe = 0; probe < 50; probe++) {
      byte[] q = key(rnd);
      int expected = 0;
      while (expected < buf.pointCount() && buf.compareKey(buf.point(expected), q) < 0) {
        expected++;
      }
      assertEquals(expected, buf.lowerBound(q), what + " lower bound");
    }
  }

  @Test
  void prefixesFollowTheirPointsThroughEveryChange() {
    long seed = new Random().nextLong();
    System.out.println("MessageBufferPrefixTest seed " + seed);
    Random rnd = new Random(seed);
    Combiner combiner = new Combiner(MessageApplierTest.resolver(), (fn, e) -> { },
        new SnapshotRegistry(new Counters(), () -> Long.MAX_VALUE), new LongAdder());
    for (int round = 0; round < 40; round++) {
      MessageBuffer buf = new MessageBuffer(rnd.nextInt(200));
      long msn = 1;
      int steps = rnd.nextInt(400);
      for (int s = 0; s < steps; s++) {
        byte[] k = key(rnd);
        byte[] v = new byte[rnd.nextInt(30)];
        byte type = rnd.nextBoolean() ? MessageType.PUT : MessageType.DELETE;
        int op = rnd.nextInt(10);
        if (op < 5) {
          buf.add(type, msn++, k, 0, k.length, v, 0, v.length, null, combiner);
        } else if (op < 8) {
          buf.add(type, msn++, k, 0, k.length, v, 0, v.length, null);
        } else {
          MessageBuffer run = new MessageBuffer();
          int n = rnd.nextInt(20);
          for (int i = 0; i < n; i++) {
            byte[] rk = key(rnd);
            run.add(MessageType.PUT, msn++, rk, 0, rk.length, v, 0, v.length, null);
          }
          buf.addSortedRun(run, 0, run.pointCount(), rnd.nextBoolean() ? combiner : null);
        }
        if (rnd.nextInt(200) == 0) {
          buf.clear();
        }
      }
      check(buf, rnd, "seed " + seed + " round " + round);
    }
  }
}
