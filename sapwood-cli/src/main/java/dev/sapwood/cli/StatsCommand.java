package dev.sapwood.cli;

import dev.sapwood.Database;
import dev.sapwood.Stats;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Print the status counters of an open made for this command, grouped by subsystem.",
        "Counters are kept in memory by each open and start at zero: these count what opening the",
        "database did (recovery included) and its current sizes, not the work of earlier processes."})
final class StatsCommand extends DbCommand {
  @Option(names = "--json", description = "One JSON object of counter name to number.") boolean json;

  @Override
  public Integer call() {
    Stats stats;
    try (Database db = openExisting()) {
      stats = db.stats();
    }
    if (json) {
      StringBuilder sb = new StringBuilder("{");
      for (Map.Entry<String, Long> e : stats.counters().entrySet()) {
        sb.append(sb.length() > 1 ? "," : "").append(Text.json(e.getKey())).append(':').append(e.getValue());
      }
      out().println(sb.append('}'));
      return 0;
    }
    out().println("counters of this command's own open of " + dir + " (they start at zero with each open):");
    String group = null;
    for (Map.Entry<String, Long> e : stats.counters().entrySet()) {
      String name = e.getKey();
      int dot = name.indexOf('.');
      String g = dot < 0 ? name : name.substring(0, dot);
      if (!g.equals(group)) {
        out().println(g + ":");
        group = g;
      }
      long v = e.getValue();
      String shown = String.format("%,d", v);
      if (name.endsWith("_bytes") && v >= 1024) {
        shown += " (" + Text.size(v) + ")";
      }
      out().printf("  %-34s %s%n", dot < 0 ? name : name.substring(dot + 1), shown);
    }
    return 0;
  }
}
