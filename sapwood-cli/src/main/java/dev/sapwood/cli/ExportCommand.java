package dev.sapwood.cli;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Write every entry of TREE in key order, one 'key<TAB>value' line each.",
        "'load' reads the lines back byte for byte: UTF-8 text with \\t, \\n, \\r, \\\\ and \\xHH",
        "escapes; or JSON lines with --json (\"key\"/\"value\" for UTF-8, \"key_hex\"/\"value_hex\"",
        "otherwise). With -o, FILE appears only once complete (written beside it, then renamed)."})
final class ExportCommand extends DbCommand {
  @Parameters(index = "1", paramLabel = "TREE") String tree;
  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.") Path output;
  @Option(names = "--json", description = "JSON lines.") boolean json;
  @Option(names = "--hex", description = "Hex fields (with --json: always key_hex / value_hex).") boolean hex;

  @Override
  public Integer call() throws IOException {
    long n = 0;
    // -o FILE: written to a temporary file beside it, renamed over FILE only once complete, so a
    // failed export leaves neither a partial FILE nor the temporary file behind.
    Path partial = output == null ? null
        : output.resolveSibling("." + output.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
    boolean done = false;
    try (Database db = openExisting(); Cursor c = existingTree(db, tree).cursor()) {
      OutputStream os = output == null ? out() : Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      Writer w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
      try {
        for (boolean ok = c.first(); ok; ok = c.next()) {
          byte[] k = c.key();
          byte[] v = c.value();
          if (json) {
            w.write("{" + Text.jsonBytes("key", k, hex) + "," + Text.jsonBytes("value", v, hex) + "}\n");
          } else if (hex) {
            w.write(Text.hex(k) + "\t" + Text.hex(v) + "\n");
          } else {
            w.write(Text.escape(k) + "\t" + Text.escape(v) + "\n");
          }
          n++;
        }
      } finally {
        w.flush();
        if (output != null) {
          w.close();
        }
      }
      if (output != null) {
        moveOver(partial, output);
      }
      done = true;
    } finally {
      if (partial != null && !done) {
        Files.deleteIfExists(partial);
      }
    }
    if (output != null) {
      out().printf("exported %,d keys to %s%n", n, output);
    }
    return 0;
  }

  private static void moveOver(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
