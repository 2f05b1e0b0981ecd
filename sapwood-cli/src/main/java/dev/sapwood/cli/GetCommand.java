package dev.sapwood.cli;

import dev.sapwood.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Print the value of KEY (exit status 1 if it is absent).")
final class GetCommand extends DbCommand {
  @Parameters(index = "1", paramLabel = "TREE") String tree;
  @Parameters(index = "2", paramLabel = "KEY") String key;
  @Option(names = "--hex", description = "KEY is hex, and the value is printed as hex.") boolean hex;
  @Option(names = "--json", description = "Print {\"key\":...,\"value\":...}.") boolean json;

  @Override
  public Integer call() {
    byte[] k = Text.arg(key, hex, "KEY");
    try (Database db = openExisting()) {
      byte[] v = existingTree(db, tree).get(k);
      if (v == null) {
        err().println("sapwood: key " + Text.display(k) + " not found in tree '" + tree + "'");
        return Main.FAILED;
      }
      out().println(json ? "{" + Text.jsonBytes("key", k, hex) + "," + Text.jsonBytes("value", v, hex) + "}"
          : hex ? Text.hex(v) : Text.display(v));
      return 0;
    }
  }
}
