package dev.sapwood.internal.tools;

import dev.sapwood.internal.engine.Inspection;
import dev.sapwood.internal.tree.NodeInspector;
import dev.sapwood.internal.tree.RangeUpdates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line's way into a database directory for {@code trees} and {@code dump}: each call
 * takes the database's lock, reads the block file as of its last checkpoint, and lets go.
 *
 * <p>This is the one way in for the command line ({@code dev.sapwood.internal.tools} is the only
 * internal package exported to it), together with {@link Verifier} for {@code verify}. Beneath it,
 * each package opens one window onto what it keeps package-private:
 * {@link dev.sapwood.internal.engine.Inspection} (the directory lock and the catalog) and
 * {@link dev.sapwood.internal.tree.NodeInspector} (a node's decoded partitions). Neither renders
 * anything; the text is made here and in {@link TreeShape}.
 *
 * <p>Errors: {@link dev.sapwood.DatabaseLockedException} if the database is open,
 * {@link dev.sapwood.CorruptionException} for damage, {@link dev.sapwood.SapwoodException} if the
 * directory holds no database, {@link IllegalArgumentException} for an unknown tree or node.
 */
public final class Inspect {
  private Inspect() {}

  /** Whether {@code dir} holds a Sapwood database. */
  public static boolean isDatabase(Path dir) {
    return Inspection.isDatabase(dir);
  }

  /** The block file of the database in {@code dir}. */
  public static Path blockFile(Path dir) {
    return Inspection.blockFile(dir);
  }

  /** The names of the trees, in order, read from the catalog alone (no tree is walked). */
  public static List<String> treeNames(Path dir) {
    try (Inspection db = Inspection.open(dir)) {
      return List.copyOf(db.roots().keySet());
    }
  }

  /** The shape of every tree, by name. */
  public static List<TreeShape> trees(Path dir) {
    try (Inspection db = Inspection.open(dir)) {
      List<TreeShape> out = new ArrayList<>();
      for (String name : db.roots().keySet()) {
        out.add(TreeShape.of(db, name));
      }
      return out;
    }
  }

  /** Each tree's logical row count from the catalog, by name (read at once, no tree walked). */
  public static java.util.SortedMap<String, Long> rowCounts(Path dir) {
    try (Inspection db = Inspection.open(dir)) {
      return db.rows();
    }
  }

  /** The shape of one tree. */
  public static TreeShape tree(Path dir, String name) {
    try (Inspection db = Inspection.open(dir)) {
      return TreeShape.of(db, name);
    }
  }

  /**
   * The contents of node {@code block} of tree {@code name}, as lines of text: its header, pivots,
   * and each partition's entries or messages, at most {@code limit} a partition.
   */
  public static List<String> node(Path dir, String name, long block, int limit) {
    try (Inspection db = Inspection.open(dir)) {
      TreeShape shape = TreeShape.of(db, name);
      TreeShape.NodeInfo info = shape.nodes().stream().filter(n -> n.block() == block).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("block " + block + " is not a node of tree '" + name
              + "' (its nodes: " + blocks(shape) + ")"));
      NodeInspector node = NodeInspector.read(db.file(), block);
      List<String> out = new ArrayList<>();
      out.add(String.format(Locale.ROOT, "node %d (path %s): height %d, %d partitions, max MSN %d, %,d bytes on disk at offset %d, %,d bytes raw (%.0f%% of the %,d-byte node size)",
          block, info.path().isEmpty() ? "/" : info.path(), node.height(), node.partitions(), node.maxMsn(),
          info.blockBytes(), db.file().blockOffset(block), info.rawBytes(), shape.fill(info) * 100, shape.nodeSize()));
      for (int i = 0; i < node.partitions(); i++) {
        String lo = i == 0 ? "-inf" : KeyText.show(node.pivot(i - 1));
        String hi = i == node.partitions() - 1 ? "+inf" : KeyText.show(node.pivot(i));
        NodeInspector.Partition p = node.partition(i);
        if (node.height() > 0) {
          List<NodeInspector.Message> msgs = node.buffer(i);
          out.add(String.format(Locale.ROOT, "partition %d [%s, %s): child %d, buffer of %d messages, %,d bytes raw, %,d stored",
              i, lo, hi, node.child(i), msgs.size(), p.rawLength(), p.compressedLength()));
          for (int m = 0; m < Math.min(limit, msgs.size()); m++) {
            NodeInspector.Message msg = msgs.get(m);
            String arg = switch (msg.type()) {
              case "PUT" -> " = " + KeyText.show(msg.value());
              case "DELETE_RANGE" -> " .. " + KeyText.show(msg.value());
              case "UPDATE" -> " " + msg.function() + "(" + KeyText.show(msg.value()) + ")";
              case "UPDATE_RANGE" -> {
                byte[] end = RangeUpdates.end(msg.value());
                yield " .. " + (end == null ? "+inf" : KeyText.show(end)) + " " + msg.function()
                    + "(" + KeyText.show(RangeUpdates.argument(msg.value())) + ")";
              }
              default -> "";
            };
            out.add("  MSN " + msg.msn() + " " + msg.type() + " " + KeyText.show(msg.key()) + arg);
          }
          more(out, msgs.size(), limit);
        } else {
          NodeInspector.Basement b = node.basement(i);
          out.add(String.format(Locale.ROOT, "basement %d [%s, %s): %d entries, max MSN %d, %,d bytes raw, %,d stored",
              i, lo, hi, b.keys().size(), b.maxMsn(), p.rawLength(), p.compressedLength()));
          for (int e = 0; e < Math.min(limit, b.keys().size()); e++) {
            out.add("  " + KeyText.show(b.keys().get(e)) + " = " + KeyText.show(b.values().get(e)));
          }
          more(out, b.keys().size(), limit);
        }
      }
      if (node.deltaBlock() != 0) {
        List<NodeInspector.Message> msgs = node.delta();
        List<NodeInspector.Segment> segs = node.deltaSegments();
        long stored = db.file().blockSize(node.deltaBlock());
        for (NodeInspector.Segment seg : segs) {
          stored += seg.block() != node.deltaBlock() ? db.file().blockSize(seg.block()) : 0;
        }
        out.add(String.format(Locale.ROOT, "delta: index block %d, %d segments, %d messages not yet applied to the basements, %,d bytes raw, %,d stored",
            node.deltaBlock(), segs.size(), msgs.size(), node.deltaRawBytes(), stored));
        for (NodeInspector.Segment seg : segs) {
          out.add(String.format(Locale.ROOT, "  segment block %d: %d point and %d range messages, %,d bytes raw, max MSN %d, filter %,d bytes",
              seg.block(), seg.points(), seg.ranges(), seg.rawBytes(), seg.maxMsn(), seg.filterBytes()));
        }
        for (int m = 0; m < Math.min(limit, msgs.size()); m++) {
          NodeInspector.Message msg = msgs.get(m);
          out.add("  MSN " + msg.msn() + " " + msg.type() + " " + KeyText.show(msg.key()));
        }
        more(out, msgs.size(), limit);
      }
      return out;
    }
  }

  private static void more(List<String> out, int size, int limit) {
    if (size > limit) {
      out.add("  ... " + (size - limit) + " more");
    }
  }

  private static String blocks(TreeShape shape) {
    List<Long> b = shape.nodes().stream().map(TreeShape.NodeInfo::block).limit(20).toList();
    return b.toString().replaceAll("[\\[\\]]", "") + (shape.nodes().size() > 20 ? ", ..." : "");
  }
}
