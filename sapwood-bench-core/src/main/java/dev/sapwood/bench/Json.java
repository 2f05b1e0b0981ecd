package dev.sapwood.bench;

import java.util.List;
import java.util.Map;

/** A minimal JSON writer for the results (maps, lists, strings, numbers, booleans, null). */
public final class Json {
  private Json() {}

  public static String write(Object o) {
    StringBuilder sb = new StringBuilder();
    write(sb, o, 0);
    return sb.append('\n').toString();
  }

  private static void write(StringBuilder sb, Object o, int indent) {
    if (o == null) {
      sb.append("null");
    } else if (o instanceof String s) {
      quote(sb, s);
    } else if (o instanceof Double d) {
      sb.append(d.isNaN() || d.isInfinite() ? "null" : trim(d));
    } else if (o instanceof Float f) {
      write(sb, f.doubleValue(), indent);
    } else if (o instanceof Number || o instanceof Boolean) {
      sb.append(o);
    } else if (o instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(first ? "\n" : ",\n").append("  ".repeat(indent + 1));
        first = false;
        quote(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        write(sb, e.getValue(), indent + 1);
      }
      sb.append(first ? "}" : "\n" + "  ".repeat(indent) + "}");
    } else if (o instanceof List<?> l) {
      boolean flat = l.stream().allMatch(x -> x instanceof Number);
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        sb.append(i == 0 ? "" : ",");
        if (!flat) {
          sb.append('\n').append("  ".repeat(indent + 1));
        }
        write(sb, l.get(i), indent + 1);
      }
      sb.append(flat || l.isEmpty() ? "]" : "\n" + "  ".repeat(indent) + "]");
    } else if (o instanceof double[] a) {
      sb.append('[');
      for (int i = 0; i < a.length; i++) {
        sb.append(i == 0 ? "" : ",");
        write(sb, a[i], indent);
      }
      sb.append(']');
    } else {
      quote(sb, o.toString());
    }
  }

  private static String trim(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return String.format(java.util.Locale.ROOT, "%.4g", d).replaceAll("\\.?0+(e|$)", "$1");
  }

  /**
   * {@code s} as a JSON string literal, quotes included: the one JSON string escaper of the project
   * (the command line's {@code --json} output uses it too).
   */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    quote(sb, s);
    return sb.toString();
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
