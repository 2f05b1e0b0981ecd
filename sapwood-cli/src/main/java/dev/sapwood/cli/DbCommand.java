package dev.sapwood.cli;

import dev.sapwood.Database;
import dev.sapwood.Tree;
import dev.sapwood.internal.tools.Inspect;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** A subcommand that works on the database directory given as its first argument. */
abstract class DbCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "DIR", description = "The database directory.")
  Path dir;

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
    if (!Inspect.isDatabase(dir)) {
      throw new UsageException(dir + " holds no Sapwood database");
    }
  }

  /** Opens the existing database in {@code dir}. */
  Database openExisting() {
    requireDatabase();
    return Database.open(dir);
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
   * Opens and closes the database, so that what its write-ahead log holds is in the block file
   * (which the offline tools read as of the last checkpoint).
   */
  void foldLog() {
    openExisting().close();
  }
}
