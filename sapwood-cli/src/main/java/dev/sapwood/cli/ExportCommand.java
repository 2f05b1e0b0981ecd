package dev.sapwood.cli;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Write every entry of TREE in key order as 'key<TAB>value' lines ('load' reads",
        "them back byte for byte): UTF-8 text with \\t, \\n, \\r, \\\\ and \\xHH escapes; or JSON lines",
        "with --json (\"key\"/\"value\" for UTF-8, \"key_hex\"/\"value_hex\" otherwise)."})
final class ExportCommand extends DbCommand {
  @Parameters(index = "1", paramLabel = "TREE") String tree;
  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.") Path output;
  @Option(names = "--json", description = "JSON lines.") boolean json;
  @Option(names = "--hex", description = "Hex fields (with --json: always key_hex / value_hex).") boolean hex;

  @Override
  public Integer call() throws IOException {
    long n = 0;
    try (Database db = openExisting(); Cursor c = existingTree(db, tree).cursor()) {
      OutputStream os = output == null ? out() : Files.newOutputStream(output);
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
    }
    if (output != null) {
      out().printf("exported %,d keys to %s%n", n, output);
    }
    return 0;
  }
}
