package dev.sapwood.cli;

import dev.sapwood.CorruptionException;
import dev.sapwood.DatabaseLockedException;
import dev.sapwood.SapwoodException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code sapwood} command: parses the command line (picocli) and runs a subcommand.
 *
 * <p>Exit status: 0 done; 1 the command failed (a locked or damaged database, an I/O error, a key
 * not found by {@code get}) or found problems ({@code verify}); 2 a usage error (bad arguments, no
 * such database directory, no such tree). An error is one line on standard error; {@code
 * --verbose} adds its stack trace.
 */
@Command(name = "sapwood", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Inspect, load, export, verify and repair Sapwood databases.",
    subcommands = {GetCommand.class, PutCommand.class, DeleteCommand.class, ScanCommand.class,
        TreesCommand.class, StatsCommand.class, LoadCommand.class, ExportCommand.class,
        VerifyCommand.class, DumpCommand.class, CompactCommand.class, OptimizeCommand.class, DemoCommand.class,
        DropCommand.class, BackupCommand.class,
        dev.sapwood.cli.bench.BenchCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit status: 0 ok, 1 failed or problems found, 2 usage error."})
public final class Main implements Runnable {
  /** Exit status of a command that failed or found problems. */
  static final int FAILED = 1;
  /** Exit status of a usage error. */
  static final int USAGE = 2;

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of an error.")
  boolean verbose;

  final PrintStream out;
  final PrintStream err;

  Main(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command; returns the process exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    boolean verbose = Arrays.asList(args).contains("--verbose");
    CommandLine cl = new CommandLine(new Main(out, err));
    everyCommand(cl, c -> c.getCommandSpec().versionProvider(new Version()));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler((e, a) -> {
      err.println("sapwood: " + e.getMessage());
      CommandLine where = e.getCommandLine();
      if (where.getParent() == null) {
        where.usage(err); // an unknown or missing command: show them all
      } else {
        err.println("Try '" + where.getCommandSpec().qualifiedName() + " --help'.");
      }
      return USAGE;
    });
    cl.setExecutionExceptionHandler((e, c, parsed) -> report(e, err, verbose));
    int status = cl.execute(args);
    out.flush();
    return status;
  }

  private static void everyCommand(CommandLine c, Consumer<CommandLine> action) {
    action.accept(c);
    for (CommandLine sub : c.getSubcommands().values()) {
      everyCommand(sub, action);
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "a command is needed");
  }

  /** One line for {@code e}, its stack trace with {@code verbose}; returns the exit status. */
  static int report(Exception e, PrintStream err, boolean verbose) {
    int status = FAILED;
    String line;
    if (e instanceof UsageException) {
      status = USAGE;
      line = e.getMessage();
    } else if (e instanceof DatabaseLockedException) {
      line = e.getMessage() + ": it is locked until that process closes it";
    } else if (e instanceof CorruptionException) {
      line = "the database is damaged: " + e.getMessage() + " ('sapwood verify' lists every problem)";
    } else if (e instanceof SapwoodException) {
      line = e.getMessage();
    } else if (e instanceof IllegalArgumentException) {
      status = USAGE;
      line = e.getMessage();
    } else if (e instanceof UncheckedIOException || e instanceof IOException) {
      line = e.getCause() != null && e instanceof UncheckedIOException ? describe(e.getCause()) : describe(e);
    } else {
      line = "internal error: " + e;
    }
    err.println("sapwood: " + line);
    if (verbose) {
      e.printStackTrace(err);
    } else if (status == FAILED && line.startsWith("internal error")) {
      err.println("(run again with --verbose for the stack trace)");
    }
    return status;
  }

  private static String describe(Throwable io) {
    String m = io.getMessage();
    if (io instanceof java.nio.file.NoSuchFileException) {
      return "no such file: " + m;
    }
    if (io instanceof java.nio.file.AccessDeniedException) {
      return "permission denied: " + m;
    }
    return m == null ? io.toString() : m;
  }
}
