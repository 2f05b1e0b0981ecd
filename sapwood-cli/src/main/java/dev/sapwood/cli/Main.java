package dev.sapwood.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/** The {@code sapwood} command: dispatches to a subcommand. */
public final class Main {
  static final String USAGE = String.join("\n",
      "usage: sapwood <command> [args]",
      "commands:",
      "  demo [--keys N] [DIR]   write, read, scan, delete, update and reopen a database of N keys",
      "                          (default 200000) in DIR (default ./demo-db)");

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command; returns the process exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println(USAGE);
      return 2;
    }
    switch (args[0]) {
      case "demo":
        return demo(args, out, err);
      case "help":
      case "-h":
      case "--help":
        out.println(USAGE);
        return 0;
      default:
        err.println("sapwood: unknown command '" + args[0] + "'");
        err.println(USAGE);
        return 2;
    }
  }

  private static int demo(String[] args, PrintStream out, PrintStream err) {
    Path dir = Path.of("demo-db");
    int keys = Demo.DEFAULT_KEYS;
    boolean dirGiven = false;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--keys") && i + 1 < args.length) {
        try {
          keys = Integer.parseInt(args[++i]);
        } catch (NumberFormatException e) {
          err.println("sapwood demo: --keys needs a number, got '" + args[i] + "'");
          return 2;
        }
        if (keys < 100) {
          err.println("sapwood demo: --keys must be at least 100");
          return 2;
        }
      } else if (!args[i].startsWith("-") && !dirGiven) {
        dir = Path.of(args[i]);
        dirGiven = true;
      } else {
        err.println("sapwood demo: unexpected argument '" + args[i] + "'");
        err.println(USAGE);
        return 2;
      }
    }
    try {
      new Demo(dir, keys, out).run();
      return 0;
    } catch (Demo.CheckFailed e) {
      err.println("sapwood demo: check failed: " + e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      err.println("sapwood demo: error: " + e);
      return 1;
    }
  }
}
