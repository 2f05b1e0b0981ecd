package dev.sapwood.cli;

import dev.sapwood.BulkLoader;
import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Tree;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.tools.Inspect;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
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
        "Writes go in large batches without the log, and one checkpoint at the end makes them durable.",
        "With --sorted (keys strictly ascending, checked first) an empty tree is built bottom-up by the",
        "bulk loader: full leaves, each entry written once."})
final class LoadCommand extends DbCommand {
  static final int BATCH_OPS = 10_000;
  static final long BATCH_BYTES = 8L << 20;

  @Parameters(index = "1", paramLabel = "TREE") String tree;
  @Parameters(index = "2", paramLabel = "FILE") String file;
  @Option(names = "--json", description = "Lines are {\"key\":...,\"value\":...} (or key_hex / value_hex).") boolean json;
  @Option(names = "--hex", description = "Tab-separated fields are hex.") boolean hex;
  @Option(names = "--create", description = "Create the database if DIR holds none.") boolean create;
  @Option(names = "--sorted", description = "Keys are strictly ascending (checked before anything is written): an"
      + " empty tree is bulk-loaded (Tree.bulkLoader), a tree with keys takes batches as without it.") boolean sorted;

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
        byte[] previous = null;
        for (byte[][] kv = check.next(); kv != null; kv = check.next()) {
          // Every line parsed and checked; with --sorted, against the key before it.
          if (sorted && previous != null && Arrays.compareUnsigned(kv[0], previous) <= 0) {
            throw new UsageException(file + " line " + check.line() + ": --sorted, but the key is "
                + (Arrays.equals(kv[0], previous) ? "the same as" : "below") + " the one before it; nothing was loaded");
          }
          previous = sorted ? kv[0] : null;
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
    long loaded;
    boolean bulk;
    try (LoadReader r = new LoadReader(source, file, json, hex);
        Database db = Database.open(dir, options().durability(Durability.NONE))) {
      Tree t = db.tree(tree);
      BulkLoader loader = sorted ? bulkLoaderIfEmpty(t) : null;
      bulk = loader != null;
      if (bulk) {
        loaded = bulkLoad(loader, r, progress, total);
      } else {
        if (sorted) {
          err().println("note: tree '" + tree + "' is not empty: loading in batches");
        }
        loaded = batches(db, t, r, progress, total);
      }
    } finally {
      progress.done();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    out().printf(Locale.ROOT, "loaded %,d keys into '%s'%s in %.1f s (%,.0f keys/s)%n", loaded, tree,
        bulk ? " by bulk load" : "", secs, loaded / Math.max(secs, 1e-9));
    return 0;
  }

  /** Loads in batches without the log, then checkpoints. */
  private static long batches(Database db, Tree t, LoadReader r, Progress progress, long total) throws IOException {
    long loaded = 0;
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
    return loaded;
  }

  /** Loads an empty tree with the bulk loader; its finish installs and checkpoints. */
  private static long bulkLoad(BulkLoader loader, LoadReader r, Progress progress, long total) throws IOException {
    long loaded = 0;
    try (loader) {
      for (byte[][] kv = r.next(); kv != null; kv = r.next()) {
        loader.add(kv[0], kv[1]);
        if (++loaded % BATCH_OPS == 0) {
          progress.update(loaded, r.bytesRead(), total);
        }
      }
      progress.update(loaded, r.bytesRead(), total);
      return loader.finish();
    }
  }

  /** A bulk loader for {@code t} if it is empty (no key and nothing buffered), else null. */
  private static BulkLoader bulkLoaderIfEmpty(Tree t) {
    try (Cursor c = t.cursor()) {
      if (c.first()) {
        return null;
      }
    }
    try {
      return t.bulkLoader();
    } catch (IllegalStateException notEmpty) {
      return null; // e.g. keys deleted but still buffered: not empty enough for a bulk load
    }
  }
}
