package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The cut rules' promises, over random shapes: a fissible node always splits, pieces are bounded. */
class SplitPlanTest {
  @Test
  void leafCutsMakeAtLeastTwoPiecesAndNoCrowdedPieceOverANode() {
    long seed = 4242;
    Random rnd = new Random(seed);
    for (int round = 0; round < 20_000; round++) {
      int nodeSize = 4096 << rnd.nextInt(9);
      int units = 2 + rnd.nextInt(rnd.nextBoolean() ? 4 : 60);
      long[] sizes = new long[units];
      long total = 0;
      for (int i = 0; i < units; i++) {
        int kind = rnd.nextInt(10);
        sizes[i] = kind == 0 ? nodeSize + rnd.nextInt(4 * nodeSize) // a giant entry
            : kind == 1 ? rnd.nextInt(nodeSize) : rnd.nextInt(nodeSize / 8 + 1);
        total += sizes[i];
      }
      if (total <= nodeSize) {
        continue; // not fissible
      }
      int[] cuts = SplitPlan.leafCuts(sizes, nodeSize);
      String tag = "seed " + seed + " round " + round + " node " + nodeSize + " sizes " + Arrays.toString(sizes)
          + " cuts " + Arrays.toString(cuts) + ": ";
      assertTrue(cuts.length >= 1, tag + "no cut");
      for (int p = 0; p <= cuts.length; p++) {
        int from = p == 0 ? 0 : cuts[p - 1];
        int to = p == cuts.length ? units : cuts[p];
        assertTrue(from < to, tag + "empty or unordered piece " + p);
        long bytes = 0;
        for (int i = from; i < to; i++) {
          bytes += sizes[i];
        }
        assertTrue(bytes <= nodeSize || to - from == 1, tag + "piece " + p + " of " + bytes + " bytes holds " + (to - from));
      }
    }
  }

  @Test
  void leftHeavyCutsFillEveryPieceButTheLastAsFullAsANodeAllows() {
    long seed = 1313;
    Random rnd = new Random(seed);
    for (int round = 0; round < 20_000; round++) {
      int nodeSize = 4096 << rnd.nextInt(9);
      int units = 2 + rnd.nextInt(60);
      long[] sizes = new long[units];
      long total = 0;
      for (int i = 0; i < units; i++) {
        sizes[i] = rnd.nextInt(10) == 0 ? nodeSize + rnd.nextInt(nodeSize) : 1 + rnd.nextInt(nodeSize / 8 + 1);
        total += sizes[i];
      }
      if (total <= nodeSize) {
        continue;
      }
      int[] cuts = SplitPlan.leftHeavyLeafCuts(sizes, nodeSize);
      String tag = "seed " + seed + " round " + round + " sizes " + Arrays.toString(sizes) + " cuts " + Arrays.toString(cuts) + ": ";
      assertTrue(cuts.length >= 1, tag + "no cut");
      for (int p = 0; p <= cuts.length; p++) {
        int from = p == 0 ? 0 : cuts[p - 1];
        int to = p == cuts.length ? units : cuts[p];
        assertTrue(from < to, tag + "empty piece " + p);
        long bytes = 0;
        for (int i = from; i < to; i++) {
          bytes += sizes[i];
        }
        assertTrue(bytes <= nodeSize || to - from == 1, tag + "piece " + p + " over a node");
        if (p < cuts.length) {
          assertTrue(bytes + sizes[to] > nodeSize, tag + "piece " + p + " could have taken the next unit");
        }
      }
    }
  }

  @Test
  void internalCutsMakeAtLeastTwoPiecesOfTwoToFanoutChildren() {
    long seed = 77;
    Random rnd = new Random(seed);
    for (int round = 0; round < 20_000; round++) {
      int nodeSize = 4096 << rnd.nextInt(9);
      int fanout = 3 + rnd.nextInt(30);
      int n = 4 + rnd.nextInt(3 * fanout);
      byte[][] pivots = new byte[n - 1][];
      for (int i = 0; i < n - 1; i++) {
        pivots[i] = new byte[rnd.nextBoolean() ? rnd.nextInt(40) : rnd.nextInt(16 << 10)];
      }
      int[] cuts = SplitPlan.internalCuts(pivots, fanout, nodeSize);
      String tag = "seed " + seed + " round " + round + " n " + n + " fanout " + fanout + " cuts " + Arrays.toString(cuts) + ": ";
      assertTrue(cuts.length >= 1, tag + "no cut");
      for (int p = 0; p <= cuts.length; p++) {
        int from = p == 0 ? 0 : cuts[p - 1];
        int to = p == cuts.length ? n : cuts[p];
        assertTrue(to - from >= 2, tag + "piece " + p + " of " + (to - from) + " children");
        assertTrue(to - from <= Math.max(fanout, 3), tag + "piece " + p + " of " + (to - from) + " children");
      }
    }
  }
}
