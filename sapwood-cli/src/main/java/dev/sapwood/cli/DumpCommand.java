package dev.sapwood.cli;

import dev.sapwood.internal.tools.Inspect;
import dev.sapwood.internal.tools.TreeShape;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dump", mixinStandardHelpOptions = true,
    description = {"Show the shape of TREE, level by level.",
        "Per level: the nodes, their fill (raw bytes over the node size) and buffered bytes;",
        "--nodes lists every node, --node N shows one node's pivots, buffers or entries."})
final class DumpCommand extends DbCommand {
  @Parameters(index = "1", paramLabel = "TREE") String tree;
  @Option(names = "--node", paramLabel = "N", description = "Show the contents of node (block) N.") Long node;
  @Option(names = "--nodes", description = "List every node.") boolean nodes;
  @Option(names = "--limit", paramLabel = "N", description = "With --node: at most N entries or messages a partition (default 20).")
  int limit = 20;

  @Override
  public Integer call() {
    foldLog();
    if (!Inspect.treeNames(dir).contains(tree)) {
      throw new UsageException("no tree named '" + tree + "' in " + dir);
    }
    if (node != null) {
      for (String line : Inspect.node(dir, tree, node, limit)) {
        out().println(line);
      }
      return 0;
    }
    TreeShape s = Inspect.tree(dir, tree);
    out().printf(Locale.ROOT, "tree '%s': height %d, %,d nodes, %s on disk, ~%,d keys; node size %s%n",
        tree, s.height(), s.nodes().size(), Text.size(s.blockBytes()), s.approximateKeys(), Text.size(s.nodeSize()));
    out().printf("%6s  %6s  %10s  %10s  %-17s  %10s  %12s%n", "HEIGHT", "NODES", "ON DISK", "RAW", "FILL MIN/AVG/MAX", "BUFFERED", "ITEMS");
    for (TreeShape.Level l : s.levels()) {
      out().printf(Locale.ROOT, "%6d  %,6d  %10s  %10s  %4.0f%% %4.0f%% %4.0f%%  %10s  %,12d%n", l.height(), l.nodes(),
          Text.size(l.blockBytes()), Text.size(l.rawBytes()), l.minFill() * 100, l.avgFill() * 100, l.maxFill() * 100,
          Text.size(l.bufferedBytes()), l.items());
    }
    out().println("(items: entries in leaves, buffered messages in internal nodes)");
    if (nodes) {
      out().printf("%8s  %-16s  %6s  %5s  %10s  %5s  %10s  %10s%n", "BLOCK", "PATH", "HEIGHT", "PARTS", "ON DISK", "FILL", "BUFFERED", "ITEMS");
      for (TreeShape.NodeInfo n : s.nodes()) {
        out().printf(Locale.ROOT, "%8d  %-16s  %6d  %5d  %10s  %4.0f%%  %10s  %,10d%n", n.block(),
            n.path().isEmpty() ? "/" : n.path(), n.height(), n.partitions(), Text.size(n.blockBytes()),
            s.fill(n) * 100, Text.size(n.bufferedBytes()), n.items());
      }
    }
    return 0;
  }
}
