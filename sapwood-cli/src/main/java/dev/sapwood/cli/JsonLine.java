package dev.sapwood.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one JSON line of {@code load --json}: an object whose members are all strings, such as
 * {@code {"key":"a","value":"b"}} or {@code {"key_hex":"00ff","value":"b"}}. Nothing more of JSON
 * is needed, so nothing more is accepted.
 */
final class JsonLine {
  private final String s;
  private int i;

  private JsonLine(String s) {
    this.s = s;
  }

  /** The members of the object; {@link IllegalArgumentException} saying what is wrong. */
  static Map<String, String> parse(String line) {
    JsonLine p = new JsonLine(line);
    Map<String, String> out = new LinkedHashMap<>();
    p.skipSpace();
    p.expect('{');
    p.skipSpace();
    if (p.peek() == '}') {
      p.i++;
    } else {
      while (true) {
        p.skipSpace();
        String name = p.string();
        p.skipSpace();
        p.expect(':');
        p.skipSpace();
        if (out.put(name, p.string()) != null) {
          throw new IllegalArgumentException("member \"" + name + "\" appears twice");
        }
        p.skipSpace();
        if (p.peek() == ',') {
          p.i++;
          continue;
        }
        p.expect('}');
        break;
      }
    }
    p.skipSpace();
    if (p.i != line.length()) {
      throw new IllegalArgumentException("text after the object at column " + (p.i + 1));
    }
    return out;
  }

  private char peek() {
    if (i >= s.length()) {
      throw new IllegalArgumentException("the line ends inside the object");
    }
    return s.charAt(i);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw new IllegalArgumentException("expected '" + c + "' at column " + (i + 1) + ", found '" + s.charAt(i) + "'");
    }
    i++;
  }

  private void skipSpace() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
  }

  private String string() {
    if (peek() != '"') {
      throw new IllegalArgumentException("expected a string at column " + (i + 1) + " (only string members are read)");
    }
    i++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = peek();
      i++;
      if (c == '"') {
        return sb.toString();
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = peek();
      i++;
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) {
            throw new IllegalArgumentException("short \\u escape at column " + i);
          }
          try {
            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("bad \\u escape at column " + i);
          }
          i += 4;
        }
        default -> throw new IllegalArgumentException("bad escape \\" + e + " at column " + i);
      }
    }
  }
}
