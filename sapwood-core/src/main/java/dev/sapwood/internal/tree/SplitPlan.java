package dev.sapwood.internal.tree;

import java.util.Arrays;

/**
 * Where to cut a node that must split ({@link TreeContext#fissible}): pure arithmetic over the
 * sizes of its partitions, so that the rules can be read (and tested) apart from the moving of
 * nodes in {@link Reshaper}.
 *
 * <p>Invariants of every plan: the cuts are strictly ascending, each in {@code [1, count)}, and a
 * node that must split gets at least one cut, so a split always changes the tree.
 */
final class SplitPlan {
  private SplitPlan() {}

  /**
   * Cuts for a leaf whose units (basements, each at most a basement or a single entry) have the
   * given sizes, pivot bytes included: returns the index of each piece's first unit, the first
   * piece's 0 left out. Pieces are filled in order up to a target of about three quarters of a
   * node (evened out over the pieces needed); the unit that overfills a piece ends it if that
   * lands nearer the target than stopping short, and starts the next piece otherwise. So a unit
   * larger than the target (one giant entry) is a piece of its own, and no piece larger than a
   * node holds more than one unit.
   *
   * <p>With at least two units and a total above {@code nodeSize}, there is at least one cut.
   */
  static int[] leafCuts(long[] sizes, int nodeSize) {
    long total = 0;
    for (long s : sizes) {
      total += s;
    }
    long quarterNode = Math.max(1, nodeSize / 4);
    long k = Math.max(2, (total + 3 * quarterNode - 1) / (3 * quarterNode));
    long target = Math.max(nodeSize / 2, total / k);
    int[] cuts = new int[sizes.length];
    int count = 0;
    int start = 0;
    long acc = 0;
    for (int i = 0; i < sizes.length; i++) {
      long with = acc + sizes[i];
      if (i > start && with > target) {
        // The unit overfills the piece: it closes the piece if that lands nearer the target than
        // stopping short does (and stays within a node); otherwise it starts the next piece.
        boolean closes = acc < target && with - target < target - acc && with <= nodeSize;
        if (closes) {
          acc = with;
          if (i + 1 < sizes.length) {
            cuts[count++] = i + 1;
            start = i + 1;
            acc = 0;
          }
          continue;
        }
        cuts[count++] = i;
        start = i;
        acc = 0;
      }
      acc += sizes[i];
    }
    return Arrays.copyOf(cuts, count);
  }

  /**
   * Left-heavy cuts for a leaf under an ascending load (the leaf is its parent's last child and
   * grew only at its end), after PerconaFT's left-heavy split mode: each piece takes as many units
   * as fit in a node (at least one), so the pieces left behind are full and the last piece, where
   * the load goes on, holds the rest. Same result shape as {@link #leafCuts}.
   *
   * <p>With at least two units and a total above {@code nodeSize}, there is at least one cut.
   */
  static int[] leftHeavyLeafCuts(long[] sizes, int nodeSize) {
    int[] cuts = new int[sizes.length];
    int count = 0;
    long acc = 0;
    for (int i = 0; i < sizes.length; i++) {
      if (acc > 0 && acc + sizes[i] > nodeSize) {
        cuts[count++] = i;
        acc = 0;
      }
      acc += sizes[i];
    }
    return Arrays.copyOf(cuts, count);
  }

  /**
   * Cuts for an internal node of {@code pivots.length + 1} children: returns the index of each
   * piece's first child, the first piece's 0 left out. Every piece has at least two children and
   * at most {@code max(fanout, 3)}; a piece is also cut once its pivots would pass about a quarter
   * of a node ({@code pivotLength + 2} bytes each), so that large keys make more, smaller nodes.
   *
   * <p>With at least four children, there is at least one cut.
   */
  static int[] internalCuts(byte[][] pivots, int fanout, int nodeSize) {
    int n = pivots.length + 1;
    long pivotBytes = 0;
    for (byte[] p : pivots) {
      pivotBytes += p.length + 2;
    }
    long quarterNode = Math.max(1, nodeSize / 4);
    long k = Math.max(2, Math.max(ceil(n, fanout), ceil(pivotBytes, quarterNode)));
    k = Math.min(k, n / 2);
    long bytesPer = Math.max(quarterNode, ceil(pivotBytes, Math.max(1, k)));
    int[] cuts = new int[n];
    int count = 0;
    int start = 0;
    long acc = 0;
    for (int i = 0; i < n - 1; i++) {
      // decide whether child i ends its piece (pivots[i] becomes a separator) or pivots[i] joins it
      int inPiece = i - start + 1;
      int left = n - 1 - i;
      long piecesLeft = Math.max(Math.max(1, k - count), ceil(n - start, fanout));
      long quota = ceil(n - start, piecesLeft);
      long next = pivots[i].length + 2L;
      if (inPiece >= 2 && left >= 2 && (inPiece >= quota || acc + next > bytesPer)) {
        cuts[count++] = i + 1;
        start = i + 1;
        acc = 0;
      } else {
        acc += next;
      }
    }
    return Arrays.copyOf(cuts, count);
  }

  private static long ceil(long a, long b) {
    return (a + b - 1) / b;
  }
}
