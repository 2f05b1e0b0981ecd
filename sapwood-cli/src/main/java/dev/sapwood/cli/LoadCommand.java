package dev.sapwood.cli;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Tree;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.tools.Inspect;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sapwood load}. Two passes over the file: the first parses every line (and checks it
 * against the key and value limits) without opening the database, so a bad line anywhere leaves
 * the database untouched — no tree, no database created; the second writes. Standard input is
 * first copied to a temporary file (deleted afterwards) so it too can be read twice. Both passes
 * hold one line and one batch at a time, so memory stays bounded whatever the file's size.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = {"Put every 'key<TAB>value' line of FILE ('-': standard input) into TREE.",
        "Lines are in the format 'export' writes (\\t, \\n, \\r, \\\\ and \\xHH escapes), or JSON",
        "lines with --json. The tree is created if absent (and the database, with --create).",
        "Every line is checked before anything is written: a bad line leaves the database as it was.",
        "Writes go in large batches without the log, and one checkpoint at the end makes them durable."})
final class LoadCommand extends DbCommand {
  static final int BATCH_OPS = 10_000;
  static final long BATCH_BYTES = 8L << 20;

  @Parameters(index = "1", paramLabel = "TREE") String tree;
  @Parameters(index = "2", paramLabel = "FILE") String file;
  @Option(names = "--json", description = "Lines are {\"key\":...,\"value\":...} (or key_hex / value_hex).") boolean json;
  @Option(names = "--hex", description = "Tab-separated fields are hex.") boolean hex;
  @Option(names = "--create", description = "Create the database if DIR holds none.") boolean create;

  @Override
  public Integer call() throws IOException {
    Path source;
    boolean spooled = file.equals("-");
    if (spooled) {
      source = Files.createTempFile("sapwood-load-", ".txt");
    } else {
      source = Path.of(file);
      if (!Files.isRegularFile(source)) {
        throw new UsageException("no such file: " + file);
      }
    }
    try {
      if (spooled) {
        Files.copy(System.in, source, StandardCopyOption.REPLACE_EXISTING);
      }
      if (!create || Inspect.isDatabase(dir)) {
        requireDatabase();
      }
      try (LoadReader check = new LoadReader(source, file, json, hex)) {
        while (check.next() != null) {
          // Every line parsed and checked; nothing kept.
        }
      }
      return load(source, Files.size(source));
    } finally {
      if (spooled) {
        Files.deleteIfExists(source);
      }
    }
  }

  private int load(Path source, long total) throws IOException {
    Progress progress = Progress.onTerminal(err(), "keys");
    long start = System.nanoTime();
    long loaded = 0;
    try (LoadReader r = new LoadReader(source, file, json, hex);
        Database db = Database.open(dir, options().durability(Durability.NONE))) {
      Tree t = db.tree(tree);
      WriteBatch batch = new WriteBatch();
      long batchBytes = 0;
      for (byte[][] kv = r.next(); kv != null; kv = r.next()) {
        batch.put(t, kv[0], kv[1]);
        batchBytes += kv[0].length + kv[1].length;
        loaded++;
        if (batch.size() >= BATCH_OPS || batchBytes >= BATCH_BYTES) {
          db.write(batch, Durability.NONE);
          batch = new WriteBatch();
          batchBytes = 0;
          progress.update(loaded, r.bytesRead(), total);
        }
      }
      if (batch.size() > 0) {
        db.write(batch, Durability.NONE);
      }
      progress.update(loaded, r.bytesRead(), total);
      db.checkpoint();
    } finally {
      progress.done();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    out().printf(Locale.ROOT, "loaded %,d keys into '%s' in %.1f s (%,.0f keys/s)%n", loaded, tree, secs, loaded / Math.max(secs, 1e-9));
    return 0;
  }
}
