package dev.sapwood.cli;

import dev.sapwood.bench.Json;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * How the command line shows and reads keys and values.
 *
 * <ul>
 *   <li>Escaped (the tab-separated lines of {@code export} and {@code load}, and what {@code get},
 *       {@code scan} and {@code delete} print): valid UTF-8 kept as is, except {@code \\}, {@code
 *       \t}, {@code \n}, {@code \r} and {@code \xHH} for other control characters and for bytes
 *       that are not valid UTF-8 — lossless, so the two round-trip byte for byte. There is no
 *       {@code 0x} form: text that reads {@code 0x41} is that text, the byte 0x41 is {@code A},
 *       and the byte 0x01 is {@code \x01}.
 *   <li>Hex ({@code --hex}): lower-case hex, two digits a byte, no prefix; input may carry {@code 0x}.
 * </ul>
 */
final class Text {
  private Text() {}

  /**
   * The bytes as text if they are valid UTF-8, else null. A twin of core's {@code
   * internal.util.Utf8.decode}: the command line uses no internal package but {@code
   * dev.sapwood.internal.tools}, the one the core module exports to it (docs/cli.md).
   */
  static String utf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** How {@code get}, {@code scan} and {@code delete} show bytes: {@link #escape}, as export writes them. */
  static String display(byte[] b) {
    return escape(b);
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length * 2);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }

  /** Parses hex (an optional 0x prefix); {@link UsageException} if it is not. */
  static byte[] parseHex(String s, String what) {
    String h = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
    if (h.length() % 2 != 0) {
      throw new UsageException(what + " '" + s + "' is not hex: odd number of digits");
    }
    byte[] out = new byte[h.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(h.charAt(2 * i), 16);
      int lo = Character.digit(h.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new UsageException(what + " '" + s + "' is not hex");
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }

  /** A command-line argument as bytes: UTF-8, or hex with {@code hex}. */
  static byte[] arg(String s, boolean hex, String what) {
    return hex ? parseHex(s, what) : s.getBytes(StandardCharsets.UTF_8);
  }

  /** The escaped form (see the class comment). */
  static String escape(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length + 8);
    int i = 0;
    while (i < b.length) {
      int c = b[i] & 0xFF;
      int len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
      if (len == 1) {
        switch (c) {
          case '\\' -> sb.append("\\\\");
          case '\t' -> sb.append("\\t");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          default -> {
            if (c < 0x20 || c == 0x7F) {
              hexEscape(sb, c);
            } else {
              sb.append((char) c);
            }
          }
        }
        i++;
        continue;
      }
      String seq = len == 0 || i + len > b.length ? null : utf8(java.util.Arrays.copyOfRange(b, i, i + len));
      if (seq == null || (len == 2 && Character.isISOControl(seq.charAt(0)))) {
        hexEscape(sb, c);
        i++;
      } else {
        sb.append(seq);
        i += len;
      }
    }
    return sb.toString();
  }

  private static void hexEscape(StringBuilder sb, int c) {
    sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
  }

  /** Inverse of {@link #escape}; {@link IllegalArgumentException} on a bad escape. */
  static byte[] unescape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    int i = 0;
    while (i < s.length()) {
      int bs = s.indexOf('\\', i);
      int end = bs < 0 ? s.length() : bs;
      byte[] plain = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
      out.write(plain, 0, plain.length);
      if (bs < 0) {
        break;
      }
      if (bs + 1 >= s.length()) {
        throw new IllegalArgumentException("a lone backslash at the end");
      }
      char e = s.charAt(bs + 1);
      i = bs + 2;
      switch (e) {
        case '\\' -> out.write('\\');
        case 't' -> out.write('\t');
        case 'n' -> out.write('\n');
        case 'r' -> out.write('\r');
        case 'x' -> {
          int hi = bs + 3 < s.length() ? Character.digit(s.charAt(bs + 2), 16) : -1;
          int lo = hi >= 0 ? Character.digit(s.charAt(bs + 3), 16) : -1;
          if (lo < 0) {
            throw new IllegalArgumentException("bad \\x escape at column " + (bs + 1));
          }
          out.write(hi << 4 | lo);
          i = bs + 4;
        }
        default -> throw new IllegalArgumentException("unknown escape \\" + e + " at column " + (bs + 1));
      }
    }
    return out.toByteArray();
  }

  /** A JSON string literal ({@link Json#quote}). */
  static String json(String s) {
    return Json.quote(s);
  }

  /**
   * A JSON member for bytes: {@code "name":"text"} when they are valid UTF-8, else
   * {@code "name_hex":"..."}; {@code hex} forces the second form.
   */
  static String jsonBytes(String name, byte[] b, boolean hex) {
    String s = hex ? null : utf8(b);
    return s != null ? json(name) + ":" + json(s) : json(name + "_hex") + ":" + json(hex(b));
  }

  /** A byte count for people: "512 B", "1.5 KiB", "12.3 MiB". */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
