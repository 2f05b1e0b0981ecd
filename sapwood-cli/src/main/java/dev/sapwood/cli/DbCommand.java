package dev.sapwood.cli;

import dev.sapwood.Database;
import dev.sapwood.DatabaseLockedException;
import dev.sapwood.Options;
import dev.sapwood.SapwoodException;
import dev.sapwood.Stats;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.internal.tools.Inspect;
import java.io.PrintStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * A subcommand that works on the database directory given as its first argument. Every such
 * command opens the database with the default options plus the update functions of {@code
 * --functions} jars; the tree shape (node size, basement size, fanout, compression) is the one
 * the database recorded (see {@link Options}), so no command reshapes a database.
 *
 * <p>The reading commands ({@link #READING_COMMANDS}) open it read-only ({@link
 * Options#readOnly}): they write nothing and share the database with other readers, in this
 * process or others, so two of them run at once; every other command opens it for writing.
 */
abstract class DbCommand implements Callable<Integer> {
  /** The commands that only read, by name: they open the database read-only. */
  static final Set<String> READING_COMMANDS = Set.of("get", "scan", "export", "trees", "stats", "verify", "dump");

  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "DIR", description = "The database directory.")
  Path dir;

  @Option(names = "--functions", paramLabel = "JAR",
      description = {"A jar of user update functions the database's data may name, listed in its",
          "META-INF/services/dev.sapwood.UpdateFunction (may be repeated)."})
  List<Path> functionJars = new ArrayList<>();

  PrintStream out() {
    return main.out;
  }

  PrintStream err() {
    return main.err;
  }

  /** Checks that {@code dir} holds a database: a {@link UsageException} saying what is missing. */
  void requireDatabase() {
    if (!Files.exists(dir)) {
      throw new UsageException("no such directory: " + dir);
    }
    if (!Files.isDirectory(dir)) {
      throw new UsageException(dir + " is not a directory");
    }
    if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
      // Else the database's files are invisible and it would look like an empty directory.
      throw new SapwoodException("cannot open " + dir + ": permission denied");
    }
    if (!Inspect.isDatabase(dir)) {
      throw new UsageException(dir + " holds no Sapwood database");
    }
  }

  /** Opens the existing database in {@code dir}: read-only for a {@linkplain #reads() reading command}. */
  Database openExisting() {
    requireDatabase();
    return Database.open(dir, options().readOnly(reads()).createIfMissing(false));
  }

  /** Whether this is one of the {@link #READING_COMMANDS}. */
  boolean reads() {
    Command c = getClass().getAnnotation(Command.class);
    return c != null && READING_COMMANDS.contains(c.name());
  }

  /**
   * The options every command opens with: the defaults, plus the update functions {@link
   * ServiceLoader} finds in the {@code --functions} jars (a class loader over them whose parent is
   * this tool's, kept for the life of the process).
   *
   * @throws UsageException if a jar is missing, cannot be loaded or provides no function
   */
  Options options() {
    Options o = Options.defaults();
    if (functionJars.isEmpty()) {
      return o;
    }
    List<URL> urls = new ArrayList<>();
    for (Path jar : functionJars) {
      if (!Files.isRegularFile(jar)) {
        throw new UsageException("--functions: no such jar: " + jar);
      }
      try {
        urls.add(jar.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new UsageException("--functions: " + jar + ": " + e.getMessage());
      }
    }
    ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), DbCommand.class.getClassLoader());
    Map<String, UpdateFunction> found = new LinkedHashMap<>();
    try {
      for (UpdateFunction f : ServiceLoader.load(UpdateFunction.class, loader)) {
        UpdateFunction before = found.putIfAbsent(f.name(), f);
        if (before != null && before.getClass() != f.getClass()) {
          throw new UsageException("--functions: two update functions are named '" + f.name() + "': "
              + before.getClass().getName() + " and " + f.getClass().getName());
        }
      }
    } catch (ServiceConfigurationError e) {
      throw new UsageException("--functions: cannot load the update functions of " + functionJars + ": " + e.getMessage());
    }
    if (found.isEmpty()) {
      throw new UsageException("--functions: " + functionJars + " provide no dev.sapwood.UpdateFunction"
          + " (list the classes in META-INF/services/dev.sapwood.UpdateFunction)");
    }
    return o.register(found.values().toArray(new UpdateFunction[0]));
  }

  /** The existing tree {@code name}: a {@link UsageException} naming the trees there are if absent. */
  Tree existingTree(Database db, String name) {
    List<String> names = db.treeNames();
    if (!names.contains(name)) {
      throw new UsageException("no tree named '" + name + "' in " + dir
          + (names.isEmpty() ? " (it has no trees)" : " (its trees: " + String.join(", ", names) + ")"));
    }
    return db.tree(name);
  }

  /**
   * Makes sure what the write-ahead log holds is in the block file (which the offline tools read
   * as of the last checkpoint). A database closed cleanly holds nothing past its last checkpoint,
   * and a read-only look says so without writing; only after a writer crashed is it opened for
   * writing once, to recover. If that open finds the database in use (other readers), the tools
   * go on with the last checkpoint, and say so on stderr.
   */
  void foldLog() {
    boolean behind;
    try (Database db = openExisting()) {
      Stats s = db.stats();
      behind = s.get("recovery.records_replayed") > 0 || s.get("recovery.torn_bytes") > 0;
    }
    if (behind) {
      try {
        Database.open(dir, options().createIfMissing(false)).close();
      } catch (DatabaseLockedException e) {
        err().println("note: " + dir + " has changes in its log past its last checkpoint, not shown here ("
            + e.getMessage() + ")");
      }
    }
  }
}
