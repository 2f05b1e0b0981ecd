package dev.sapwood.cli;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import java.io.PrintStream;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "scan", mixinStandardHelpOptions = true,
    description = {"Print the entries of TREE in key order, one 'key<TAB>value' line each.",
        "Keys and values are escaped as 'export' writes them: UTF-8 text as is, with \\t, \\n, \\r, \\\\",
        "and \\xHH for control characters and bytes that are not UTF-8 (so 'load' reads the lines back)."})
final class ScanCommand extends DbCommand {
  @Parameters(index = "1", paramLabel = "TREE") String tree;
  @Option(names = "--from", paramLabel = "K", description = "Start at K (inclusive).") String from;
  @Option(names = "--to", paramLabel = "K", description = "Stop before K (exclusive).") String to;
  @Option(names = "--prefix", paramLabel = "P", description = "Only keys starting with P.") String prefix;
  @Option(names = "--limit", paramLabel = "N", description = "At most N entries.") long limit = Long.MAX_VALUE;
  @Option(names = "--reverse", description = "Largest key first.") boolean reverse;
  @Option(names = "--hex", description = "Keys given and printed as hex.") boolean hex;
  @Option(names = "--json", description = "One {\"key\":...,\"value\":...} object a line.") boolean json;

  @Override
  public Integer call() {
    if (limit < 0) {
      throw new UsageException("--limit must not be negative");
    }
    byte[] lo = from == null ? null : Text.arg(from, hex, "--from");
    byte[] hi = to == null ? null : Text.arg(to, hex, "--to");
    if (prefix != null) {
      byte[] p = Text.arg(prefix, hex, "--prefix");
      lo = max(lo, p);
      hi = min(hi, successor(p));
    }
    PrintStream out = out();
    long printed = 0;
    try (Database db = openExisting(); Cursor c = existingTree(db, tree).cursor()) {
      boolean ok;
      if (!reverse) {
        ok = lo == null ? c.first() : c.seek(lo);
      } else if (hi == null) {
        ok = c.last();
      } else {
        ok = c.seek(hi) ? c.prev() : c.last();
      }
      while (ok && printed < limit) {
        byte[] k = c.key();
        if ((hi != null && Arrays.compareUnsigned(k, hi) >= 0) || (lo != null && Arrays.compareUnsigned(k, lo) < 0)) {
          break;
        }
        print(out, k, c.value());
        printed++;
        ok = reverse ? c.prev() : c.next();
      }
    }
    out.flush();
    return 0;
  }

  private void print(PrintStream out, byte[] k, byte[] v) {
    if (json) {
      out.println("{" + Text.jsonBytes("key", k, hex) + "," + Text.jsonBytes("value", v, hex) + "}");
    } else if (hex) {
      out.println(Text.hex(k) + "\t" + Text.hex(v));
    } else {
      out.println(Text.display(k) + "\t" + Text.display(v));
    }
  }

  /** The smallest key greater than every key starting with {@code p}, or null if there is none. */
  static byte[] successor(byte[] p) {
    for (int i = p.length - 1; i >= 0; i--) {
      if (p[i] != (byte) 0xFF) {
        byte[] s = Arrays.copyOf(p, i + 1);
        s[i]++;
        return s;
      }
    }
    return null;
  }

  private static byte[] max(byte[] a, byte[] b) {
    return a == null ? b : b == null ? a : Arrays.compareUnsigned(a, b) >= 0 ? a : b;
  }

  private static byte[] min(byte[] a, byte[] b) {
    return a == null ? b : b == null ? a : Arrays.compareUnsigned(a, b) <= 0 ? a : b;
  }
}
