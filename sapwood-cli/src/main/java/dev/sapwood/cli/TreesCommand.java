package dev.sapwood.cli;

import dev.sapwood.internal.tools.Inspect;
import dev.sapwood.internal.tools.TreeShape;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "trees", mixinStandardHelpOptions = true,
    description = {"List the trees with their approximate key count and size on disk.",
        "Keys are the leaves' entries with the newest buffered change of each key applied (a",
        "buffered put or update of a new key counts; range deletes are not counted, hence the ~).",
        "ROWS is the logical row count the catalog keeps (entries in the leaves, no walk)."})
final class TreesCommand extends DbCommand {
  @Option(names = "--json", description = "One JSON object a tree.") boolean json;

  @Override
  public Integer call() {
    foldLog();
    List<TreeShape> trees = Inspect.trees(dir);
    java.util.SortedMap<String, Long> rows = Inspect.rowCounts(dir);
    if (json) {
      for (TreeShape t : trees) {
        out().printf("{\"name\":%s,\"keys\":%d,\"rows\":%d,\"bytes\":%d,\"nodes\":%d,\"height\":%d}%n",
            Text.json(t.name()), t.approximateKeys(), rows.getOrDefault(t.name(), 0L), t.blockBytes(), t.nodes().size(), t.height());
      }
      return 0;
    }
    if (trees.isEmpty()) {
      out().println("no trees");
      return 0;
    }
    int w = Math.max(4, trees.stream().mapToInt(t -> t.name().length()).max().orElse(4));
    out().printf("%-" + w + "s  %12s  %12s  %10s  %6s  %6s%n", "TREE", "KEYS (~)", "ROWS", "SIZE", "NODES", "HEIGHT");
    for (TreeShape t : trees) {
      out().printf("%-" + w + "s  %,12d  %,12d  %10s  %,6d  %6d%n", t.name(), t.approximateKeys(),
          rows.getOrDefault(t.name(), 0L), Text.size(t.blockBytes()), t.nodes().size(), t.height());
    }
    return 0;
  }
}
