package dev.sapwood.cli;

import dev.sapwood.Database;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "drop", mixinStandardHelpOptions = true,
    description = {"Remove TREE and all its entries (exit status 1 if there is no such tree).",
        "The space it held is reused, and 'compact' gives it back to the file system."})
final class DropCommand extends DbCommand {
  @Parameters(index = "1", paramLabel = "TREE") String tree;

  @Override
  public Integer call() {
    try (Database db = openExisting()) {
      List<String> names = db.treeNames();
      if (!names.contains(tree)) {
        err().println("sapwood: no tree named '" + tree + "' in " + dir
            + (names.isEmpty() ? " (it has no trees)" : " (its trees: " + String.join(", ", names) + ")"));
        return Main.FAILED;
      }
      db.dropTree(tree);
      db.sync();
    }
    out().println("dropped tree '" + tree + "'");
    return 0;
  }
}
