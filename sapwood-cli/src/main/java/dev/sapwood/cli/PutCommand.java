package dev.sapwood.cli;

import dev.sapwood.Database;
import dev.sapwood.internal.tools.Inspect;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "put", mixinStandardHelpOptions = true,
    description = "Set KEY to VALUE, creating the tree if absent (and the database, with --create).")
final class PutCommand extends DbCommand {
  @Parameters(index = "1", paramLabel = "TREE") String tree;
  @Parameters(index = "2", paramLabel = "KEY") String key;
  @Parameters(index = "3", paramLabel = "VALUE") String value;
  @Option(names = "--hex", description = "KEY and VALUE are hex.") boolean hex;
  @Option(names = "--create", description = "Create the database if DIR holds none.") boolean create;

  @Override
  public Integer call() {
    byte[] k = Text.arg(key, hex, "KEY");
    byte[] v = Text.arg(value, hex, "VALUE");
    if (!create || Inspect.isDatabase(dir)) {
      requireDatabase();
    }
    try (Database db = Database.open(dir, options())) {
      db.tree(tree).put(k, v);
      db.sync();
    }
    return 0;
  }
}
