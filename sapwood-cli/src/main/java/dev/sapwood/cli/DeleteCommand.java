package dev.sapwood.cli;

import dev.sapwood.Database;
import dev.sapwood.Tree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove KEY (says so if it was absent).")
final class DeleteCommand extends DbCommand {
  @Parameters(index = "1", paramLabel = "TREE") String tree;
  @Parameters(index = "2", paramLabel = "KEY") String key;
  @Option(names = "--hex", description = "KEY is hex.") boolean hex;

  @Override
  public Integer call() {
    byte[] k = Text.arg(key, hex, "KEY");
    try (Database db = openExisting()) {
      Tree t = existingTree(db, tree);
      if (t.get(k) == null) {
        out().println("key " + Text.display(k) + " was not there");
      }
      t.delete(k);
      db.sync();
    }
    return 0;
  }
}
