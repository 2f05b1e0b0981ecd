package dev.sapwood.cli;

import dev.sapwood.Database;
import dev.sapwood.Stats;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "optimize", mixinStandardHelpOptions = true,
    description = {"Drain every buffered change down to the leaves, tree by tree and key range by key range.",
        "It runs online: readers and writers of an embedding process would go on meanwhile.",
        "An optimize cut short resumes from the last checkpoint's position when run again."})
final class OptimizeCommand extends DbCommand {
  @Option(names = "--tree", description = "Optimize only this tree.") String tree;

  @Override
  public Integer call() {
    requireDatabase();
    long start = System.nanoTime();
    Stats stats;
    try (Database db = Database.open(dir, options())) {
      if (tree != null) {
        if (!db.treeNames().contains(tree)) {
          throw new UsageException("no tree named '" + tree + "'");
        }
        db.tree(tree).optimize();
      } else {
        db.optimize();
      }
      db.checkpoint();
      stats = db.stats();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    out().printf(Locale.ROOT, "optimized %s in %.1f s: %,d steps, %,d flushes, longest step %,d us%n",
        tree == null ? "every tree" : "'" + tree + "'", secs, stats.get("optimize.steps"),
        stats.get("optimize.flushes"), stats.get("optimize.step_micros_max"));
    return 0;
  }
}
