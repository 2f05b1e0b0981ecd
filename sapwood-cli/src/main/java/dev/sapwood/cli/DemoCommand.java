package dev.sapwood.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Write, read, scan, delete, update and reopen a database of N keys.",
        "DIR defaults to ./demo-db (a database an earlier demo left there is replaced)."})
final class DemoCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Option(names = "--keys", paramLabel = "N", description = "Number of keys (at least 100; default ${DEFAULT-VALUE}).")
  int keys = Demo.DEFAULT_KEYS;
  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Where (default ./demo-db).")
  Path dir = Path.of("demo-db");

  @Override
  public Integer call() {
    if (keys < 100) {
      throw new UsageException("demo: --keys must be at least 100");
    }
    try {
      new Demo(dir, keys, main.out).run();
      return 0;
    } catch (Demo.CheckFailed e) {
      main.err.println("sapwood demo: check failed: " + e.getMessage());
      return Main.FAILED;
    }
  }
}
