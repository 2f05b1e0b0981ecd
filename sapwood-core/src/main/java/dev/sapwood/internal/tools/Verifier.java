package dev.sapwood.internal.tools;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.engine.Inspection;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.tree.MessageType;
import dev.sapwood.internal.tree.NodeInspector;
import dev.sapwood.internal.tree.RangeUpdates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a database as of its last checkpoint, reading every block from the file (never through a
 * cache) and reporting each problem with where it is, rather than stopping at the first:
 *
 * <ul>
 *   <li>checksums: the header slot and block table (on open), the catalog, every node header and
 *       every partition (each is read and decoded, which also checks lengths and entry order);
 *   <li>key order: pivots strictly ascending and inside the range the ancestors give the node;
 *       basement entries strictly ascending and inside their partition's range; each buffered
 *       message inside (a range message overlapping) its partition's range;
 *   <li>shape: every child one level below its parent, every root internal;
 *   <li>MSNs: a node's max MSN never above its parent's (a child cannot have been given a message
 *       its parent never had), the root's never above the header's, a basement's and every
 *       buffered message's never above their node's;
 *   <li>blocks: every referenced block is mapped, no block is referenced twice (two parents, or a
 *       node and the catalog), and every mapped block is referenced (no leak).
 * </ul>
 *
 * <p>The caller holds the database's lock ({@link Inspection}); nothing is written.
 */
public final class Verifier {
  /** One problem: where (file offset, tree and path, block) and what. */
  public record Problem(String where, String what) {
    @Override
    public String toString() {
      return where + ": " + what;
    }
  }

  /** What a verification found. */
  public record Report(List<Problem> problems, long blocks, long nodes, long entries, long messages) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /** Told how far the walk is, in blocks. */
  public interface Progress {
    void blocks(long done, long total);
  }

  private final Inspection db;
  private final BlockFile file;
  private final List<Problem> problems = new ArrayList<>();
  /** Block number to who refers to it. */
  private final Map<Long, String> owners = new HashMap<>();
  private final Progress progress;
  private final long totalBlocks;
  private long nodes;
  private long entries;
  private long messages;

  private Verifier(Inspection db, Progress progress) {
    this.db = db;
    this.file = db.file();
    this.progress = progress;
    this.totalBlocks = file.mappedBlocks().length;
  }

  /**
   * Verifies the database in {@code dir} as of its last checkpoint. Damage to the headers, block
   * table or catalog (which stops the walk before it starts) is reported as a problem too.
   *
   * @throws dev.sapwood.DatabaseLockedException if the database is open
   * @throws dev.sapwood.SapwoodException if {@code dir} holds no database
   */
  public static Report verify(Path dir, Progress progress) {
    Inspection db;
    try {
      db = Inspection.open(dir);
    } catch (CorruptionException e) {
      return new Report(List.of(new Problem(Inspection.blockFile(dir).toString(), e.getMessage())), 0, 0, 0, 0);
    }
    try (db) {
      return verify(db, progress);
    }
  }

  /** Verifies the database {@code db} opened. */
  public static Report verify(Inspection db, Progress progress) {
    Verifier v = new Verifier(db, progress == null ? (d, t) -> { } : progress);
    v.run();
    return new Report(List.copyOf(v.problems), v.totalBlocks, v.nodes, v.entries, v.messages);
  }

  private void run() {
    owners.put(db.catalogBlock(), "the catalog");
    for (Map.Entry<String, Long> t : db.roots().entrySet()) {
      walk(t.getKey(), t.getValue(), null, null, -1, file.header().maxMsn(), "root");
    }
    for (long b : file.mappedBlocks()) {
      if (!owners.containsKey(b)) {
        problem(b, "block " + b, "is mapped (" + file.blockSize(b) + " bytes) but nothing refers to it: leaked");
      }
    }
    progress.blocks(totalBlocks, totalBlocks);
  }

  private void walk(String tree, long block, byte[] lo, byte[] hi, int height, long parentMsn, String path) {
    String where = "tree '" + tree + "' " + path + " (block " + block + ")";
    String previous = owners.putIfAbsent(block, where);
    if (previous != null) {
      problems.add(new Problem(where, "block " + block + " is also used by " + previous));
      return;
    }
    if (!file.isMapped(block)) {
      problems.add(new Problem(where, "refers to block " + block + ", which is not in the block table"));
      return;
    }
    NodeInspector node;
    try {
      node = NodeInspector.read(file, block);
    } catch (CorruptionException e) {
      problems.add(new Problem(where, e.getMessage()));
      return;
    } finally {
      nodes++;
      progress.blocks(nodes, totalBlocks);
    }
    if (height >= 0 && node.height() != height) {
      problem(block, where, "height " + node.height() + ", but its parent is at height " + (height + 1));
    }
    if (height < 0 && node.height() == 0) {
      problem(block, where, "a root holds a leaf; a root is always internal");
    }
    if (node.maxMsn() > parentMsn) {
      problem(block, where, "max MSN " + node.maxMsn() + " is above its "
          + (height < 0 ? "header's " : "parent's ") + parentMsn);
    }
    int n = node.partitions();
    byte[][] pivots = new byte[n - 1][];
    for (int i = 0; i < n - 1; i++) {
      pivots[i] = node.pivot(i);
      if (!inRange(pivots[i], lo, hi)) {
        problem(block, where, "pivot " + i + " " + KeyText.show(pivots[i]) + " is outside the node's range " + range(lo, hi));
      }
      if (i > 0 && Arrays.compareUnsigned(pivots[i - 1], pivots[i]) >= 0) {
        problem(block, where, "pivots " + (i - 1) + " and " + i + " are not ascending");
      }
    }
    for (int i = 0; i < n; i++) {
      byte[] plo = i == 0 ? lo : pivots[i - 1];
      byte[] phi = i == n - 1 ? hi : pivots[i];
      if (node.height() > 0) {
        checkBuffer(node, i, plo, phi, where);
        walk(tree, node.child(i), plo, phi, node.height() - 1, node.maxMsn(), path + "/" + i);
      } else {
        checkBasement(node, i, plo, phi, where);
      }
    }
    if (node.deltaBlock() != 0) {
      checkDelta(tree, node, lo, hi, parentMsn, where);
    }
  }

  /**
   * A leaf's delta: its index block and each segment block referenced once and mapped, all
   * readable, naming this leaf and agreeing with the index (a filter must admit every key its
   * segment holds), holding only messages for the leaf's range with MSNs no higher than the
   * parent's.
   */
  private void checkDelta(String tree, NodeInspector node, byte[] lo, byte[] hi, long parentMsn, String where) {
    long d = node.deltaBlock();
    String whereD = where + " delta (index block " + d + ")";
    if (!claim(d, whereD)) {
      return;
    }
    List<NodeInspector.Message> delta;
    try {
      for (NodeInspector.Segment seg : node.deltaSegments()) {
        if (seg.block() != d && !claim(seg.block(), whereD + " segment (block " + seg.block() + ")")) {
          return;
        }
      }
      delta = node.delta();
    } catch (CorruptionException e) {
      problems.add(new Problem(whereD, e.getMessage()));
      return;
    }
    for (NodeInspector.Message m : delta) {
      messages++;
      boolean ok = concerns(m, lo, hi);
      if (!ok) {
        problem(d, whereD, m.type() + " of " + KeyText.show(m.key()) + " (MSN " + m.msn()
            + ") is outside the leaf's range " + range(lo, hi));
      }
      if (m.msn() > parentMsn) {
        problem(d, whereD, "message MSN " + m.msn() + " is above the parent's max MSN " + parentMsn);
      }
    }
  }

  /** Records {@code block} as used by {@code where}: false (a problem noted) if it is used twice or not mapped. */
  private boolean claim(long block, String where) {
    String previous = owners.putIfAbsent(block, where);
    if (previous != null) {
      problems.add(new Problem(where, "block " + block + " is also used by " + previous));
      return false;
    }
    if (!file.isMapped(block)) {
      problems.add(new Problem(where, "refers to block " + block + ", which is not in the block table"));
      return false;
    }
    return true;
  }

  /** Whether message {@code m} concerns a key in [lo, hi) (a range message: overlaps it). */
  private static boolean concerns(NodeInspector.Message m, byte[] lo, byte[] hi) {
    return switch (m.type()) {
      case "DELETE_RANGE" -> RangeUpdates.overlaps(MessageType.DELETE_RANGE, m.key(), m.value(), lo, hi);
      case "UPDATE_RANGE" -> RangeUpdates.overlaps(MessageType.UPDATE_RANGE, m.key(), m.value(), lo, hi);
      default -> inRange(m.key(), lo, hi);
    };
  }

  private void checkBuffer(NodeInspector node, int i, byte[] lo, byte[] hi, String where) {
    List<NodeInspector.Message> buffer;
    try {
      buffer = node.buffer(i);
    } catch (CorruptionException e) {
      problems.add(new Problem(where, e.getMessage()));
      return;
    }
    for (NodeInspector.Message m : buffer) {
      messages++;
      boolean ok = concerns(m, lo, hi);
      if (!ok) {
        problem(node.block(), where, "buffer " + i + ": " + m.type() + " of " + KeyText.show(m.key())
            + " (MSN " + m.msn() + ") is outside the partition's range " + range(lo, hi));
      }
      if (m.msn() > node.maxMsn()) {
        problem(node.block(), where, "buffer " + i + ": message MSN " + m.msn() + " is above the node's max MSN " + node.maxMsn());
      }
    }
  }

  private void checkBasement(NodeInspector node, int i, byte[] lo, byte[] hi, String where) {
    NodeInspector.Basement b;
    try {
      b = node.basement(i);
    } catch (CorruptionException e) {
      problems.add(new Problem(where, e.getMessage()));
      return;
    }
    if (b.maxMsn() > node.maxMsn()) {
      problem(node.block(), where, "basement " + i + ": max MSN " + b.maxMsn() + " is above the node's " + node.maxMsn());
    }
    List<byte[]> keys = b.keys();
    for (int e = 0; e < keys.size(); e++) {
      entries++;
      if (!inRange(keys.get(e), lo, hi)) {
        problem(node.block(), where, "basement " + i + ": key " + KeyText.show(keys.get(e)) + " is outside the partition's range " + range(lo, hi));
      }
      if (e > 0 && Arrays.compareUnsigned(keys.get(e - 1), keys.get(e)) >= 0) {
        problem(node.block(), where, "basement " + i + ": entries " + (e - 1) + " and " + e + " are not ascending");
      }
    }
  }

  private void problem(long block, String where, String what) {
    String at = file.isMapped(block) ? " at offset " + file.blockOffset(block) : "";
    problems.add(new Problem(file.name() + at + ", " + where, what));
  }

  private static boolean inRange(byte[] k, byte[] lo, byte[] hi) {
    return (lo == null || Arrays.compareUnsigned(k, lo) >= 0) && (hi == null || Arrays.compareUnsigned(k, hi) < 0);
  }

  private static String range(byte[] lo, byte[] hi) {
    return "[" + (lo == null ? "-inf" : KeyText.show(lo)) + ", " + (hi == null ? "+inf" : KeyText.show(hi)) + ")";
  }
}
