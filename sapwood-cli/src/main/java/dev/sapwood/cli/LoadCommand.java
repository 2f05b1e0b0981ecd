package dev.sapwood.cli;

import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Tree;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.tools.Inspect;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "load", mixinStandardHelpOptions = true,
    description = {"Put every 'key<TAB>value' line of FILE ('-': standard input) into TREE.",
        "Lines are in the format 'export' writes (\\t, \\n, \\r, \\\\ and \\xHH escapes), or JSON",
        "lines with --json. The tree is created if absent (and the database, with --create).",
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
    long total = 0;
    InputStream in;
    if (file.equals("-")) {
      in = System.in;
    } else {
      Path p = Path.of(file);
      if (!Files.isRegularFile(p)) {
        throw new UsageException("no such file: " + file);
      }
      total = Files.size(p);
      in = Files.newInputStream(p);
    }
    if (!create || Inspect.isDatabase(dir)) {
      requireDatabase();
    }
    CountingInputStream counted = new CountingInputStream(in);
    BufferedReader r = new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    Progress progress = Progress.onTerminal(err(), "keys");
    long start = System.nanoTime();
    long lineNo = 0;
    long loaded = 0;
    try (r; Database db = Database.open(dir, options().durability(Durability.NONE))) {
      Tree t = db.tree(tree);
      WriteBatch batch = new WriteBatch();
      long batchBytes = 0;
      String line;
      while (true) {
        try {
          line = r.readLine();
        } catch (CharacterCodingException e) {
          throw new UsageException(file + " line " + (lineNo + 1) + ": not UTF-8 text (export writes only UTF-8)");
        }
        if (line == null) {
          break;
        }
        lineNo++;
        if (line.isEmpty()) {
          continue;
        }
        byte[][] kv = parse(line, lineNo);
        batch.put(t, kv[0], kv[1]);
        batchBytes += kv[0].length + kv[1].length;
        loaded++;
        if (batch.size() >= BATCH_OPS || batchBytes >= BATCH_BYTES) {
          db.write(batch, Durability.NONE);
          batch = new WriteBatch();
          batchBytes = 0;
          progress.update(loaded, counted.count, total);
        }
      }
      if (batch.size() > 0) {
        db.write(batch, Durability.NONE);
      }
      progress.update(loaded, counted.count, total);
      db.checkpoint();
    } finally {
      progress.done();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    out().printf(Locale.ROOT, "loaded %,d keys into '%s' in %.1f s (%,.0f keys/s)%n", loaded, tree, secs, loaded / Math.max(secs, 1e-9));
    return 0;
  }

  private byte[][] parse(String line, long lineNo) {
    String where = file + " line " + lineNo;
    try {
      if (json) {
        Map<String, String> m = JsonLine.parse(line);
        return new byte[][] {field(m, "key", where), field(m, "value", where)};
      }
      int tab = line.indexOf('\t');
      if (tab < 0 || line.indexOf('\t', tab + 1) >= 0) {
        throw new UsageException(where + ": expected key<TAB>value (one tab), found " + (tab < 0 ? "none" : "more"));
      }
      String k = line.substring(0, tab);
      String v = line.substring(tab + 1);
      return hex ? new byte[][] {Text.parseHex(k, where + ": key"), Text.parseHex(v, where + ": value")}
          : new byte[][] {Text.unescape(k), Text.unescape(v)};
    } catch (IllegalArgumentException e) {
      throw new UsageException(where + ": " + e.getMessage());
    }
  }

  private static byte[] field(Map<String, String> m, String name, String where) {
    String text = m.get(name);
    String hexText = m.get(name + "_hex");
    if ((text == null) == (hexText == null)) {
      throw new UsageException(where + ": needs exactly one of \"" + name + "\" and \"" + name + "_hex\"");
    }
    return text != null ? text.getBytes(StandardCharsets.UTF_8) : Text.parseHex(hexText, where + ": " + name + "_hex");
  }

  /** Counts the bytes read, for the progress bar. */
  private static final class CountingInputStream extends java.io.FilterInputStream {
    volatile long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
