package dev.sapwood.cli;

import dev.sapwood.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

@Command(name = "compact", mixinStandardHelpOptions = true,
    description = {"Shrink the database file to about its live size.",
        "Flushes every buffer to the leaves, merges emptied trees down and moves blocks from the",
        "end of the file into free space. Prints the sizes before and after. It writes, so it",
        "opens the database as a writer does (not while another process has it open)."})
final class CompactCommand extends DbCommand {
  @Override
  public Integer call() throws IOException {
    requireDatabase();
    long fileBefore = Files.size(dir.resolve("sapwood.db"));
    long dirBefore = sizeOf(dir);
    long start = System.nanoTime();
    try (Database db = Database.open(dir, options())) {
      db.compact();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    long fileAfter = Files.size(dir.resolve("sapwood.db"));
    long dirAfter = sizeOf(dir);
    out().printf(Locale.ROOT, "sapwood.db: %s -> %s%n", Text.size(fileBefore), Text.size(fileAfter));
    out().printf(Locale.ROOT, "%s (with the log): %s -> %s (%s) in %.1f s%n", dir, Text.size(dirBefore), Text.size(dirAfter),
        change(dirBefore, dirAfter), secs);
    return 0;
  }

  private static String change(long before, long after) {
    if (before == 0) {
      return "no change";
    }
    return String.format(Locale.ROOT, "%+.0f%%", (after - before) * 100.0 / before);
  }

  static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // removed while we walked: it no longer counts
        }
      }).sum();
    }
  }
}
