package dev.sapwood.cli;

import dev.sapwood.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sapwood backup DIR TARGET}: {@link Database#backup} of a database no process holds open
 * (an application backs up its own open database with that call). The target must not exist.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = {"Copy the database into TARGET, a new directory, as a database that opens on its own.",
        "The copy holds everything written before the command began, the write-ahead log folded in.",
        "A program backs up a database it holds open with Database.backup, while it runs."})
final class BackupCommand extends DbCommand {
  @Parameters(index = "1", paramLabel = "TARGET", description = "The new directory (must not exist).")
  Path target;

  @Override
  public Integer call() throws IOException {
    requireDatabase();
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new UsageException(target + " exists: a backup goes to a new directory");
    }
    long start = System.nanoTime();
    try (Database db = Database.open(dir, options())) {
      db.backup(target);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    out().printf(Locale.ROOT, "backed up %s to %s: %s in %.1f s%n", dir, target,
        Text.size(CompactCommand.sizeOf(target)), secs);
    return 0;
  }
}
