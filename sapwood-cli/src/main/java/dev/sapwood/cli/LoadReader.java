package dev.sapwood.cli;

import dev.sapwood.Limits;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The entries of a {@code load} file, one line at a time: {@code key<TAB>value} with {@link
 * Text#unescape} escapes (or hex fields with {@code --hex}), or JSON lines with {@code --json};
 * blank lines are skipped. A line that is not UTF-8, does not parse, or holds a key or value over
 * {@link Limits} is a {@link UsageException} naming the file and line. Holds one line at a time,
 * so any file can be read in bounded memory. Not thread-safe.
 */
final class LoadReader implements Closeable {
  private final String name;
  private final boolean json;
  private final boolean hex;
  private final Counting counted;
  private final BufferedReader r;
  private long lineNo;

  LoadReader(Path file, String name, boolean json, boolean hex) throws IOException {
    this.name = name;
    this.json = json;
    this.hex = hex;
    this.counted = new Counting(Files.newInputStream(file));
    this.r = new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
  }

  /** The next entry as {key, value}, or null at the end of the file. */
  byte[][] next() throws IOException {
    while (true) {
      String line;
      try {
        line = r.readLine();
      } catch (CharacterCodingException e) {
        throw new UsageException(name + " line " + (lineNo + 1) + ": not UTF-8 text (export writes only UTF-8)");
      }
      if (line == null) {
        return null;
      }
      lineNo++;
      if (!line.isEmpty()) {
        return parse(line);
      }
    }
  }

  /** The number of the line the last entry came from (1-based). */
  long line() {
    return lineNo;
  }

  /** Bytes of the file read so far (for the progress bar). */
  long bytesRead() {
    return counted.count;
  }

  private byte[][] parse(String line) {
    String where = name + " line " + lineNo;
    try {
      byte[][] kv;
      if (json) {
        Map<String, String> m = JsonLine.parse(line);
        kv = new byte[][] {field(m, "key", where), field(m, "value", where)};
      } else {
        int tab = line.indexOf('\t');
        if (tab < 0 || line.indexOf('\t', tab + 1) >= 0) {
          throw new UsageException(where + ": expected key<TAB>value (one tab), found " + (tab < 0 ? "none" : "more"));
        }
        String k = line.substring(0, tab);
        String v = line.substring(tab + 1);
        kv = hex ? new byte[][] {Text.parseHex(k, where + ": key"), Text.parseHex(v, where + ": value")}
            : new byte[][] {Text.unescape(k), Text.unescape(v)};
      }
      Limits.checkKey(kv[0]);
      Limits.checkValue(kv[1]);
      return kv;
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

  @Override
  public void close() throws IOException {
    r.close();
  }

  /** Counts the bytes read, for the progress bar. */
  private static final class Counting extends FilterInputStream {
    volatile long count;

    Counting(InputStream in) {
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
