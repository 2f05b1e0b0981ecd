package dev.sapwood.internal.engine;

import dev.sapwood.internal.util.Utf8;

/**
 * The one rule for tree names, used by the API ({@code Database.tree}, {@code dropTree}), the
 * catalog decoder and log replay: a name is a string of valid Unicode (no unpaired surrogate)
 * whose UTF-8 encoding is 1 to {@link #MAX_BYTES} bytes long. Names are stored as that UTF-8 and
 * compared as stored: because a valid string and its UTF-8 are in one-to-one correspondence, two
 * names are the same tree exactly when their stored bytes are equal (no normalization, no case
 * folding).
 *
 * <p>Why: {@link String#getBytes} replaces an unpaired surrogate by {@code '?'}, so without this
 * rule {@code "\uD800"} and {@code "?"} were two trees in memory and one name on disk.
 *
 * <p>Stateless and thread-safe.
 */
public final class TreeNames {
  /** Longest name in UTF-8 bytes (the catalog stores the length in a u16, the limit is ours). */
  public static final int MAX_BYTES = 255;

  private TreeNames() {}

  /**
   * The stored bytes of {@code name}.
   *
   * @throws IllegalArgumentException if {@code name} is null, holds an unpaired surrogate, or is
   *     not 1..{@link #MAX_BYTES} UTF-8 bytes
   */
  public static byte[] encode(String name) {
    if (name == null) {
      throw new IllegalArgumentException("tree name is null");
    }
    byte[] bytes = Utf8.encode(name);
    if (bytes == null) {
      throw new IllegalArgumentException("tree name is not valid Unicode (an unpaired surrogate): '"
          + escaped(name) + "'");
    }
    checkLength(bytes.length, name);
    return bytes;
  }

  /** Checks {@code name} as {@link #encode} does; returns it. */
  public static String check(String name) {
    encode(name);
    return name;
  }

  /**
   * The name whose stored bytes are {@code utf8}: the inverse of {@link #encode}.
   *
   * @throws IllegalArgumentException if the bytes are not well-formed UTF-8 (overlong forms and
   *     encoded surrogates included) or not 1..{@link #MAX_BYTES} long; callers reading from disk
   *     turn it into a {@code CorruptionException}
   */
  public static String decode(byte[] utf8) {
    checkLength(utf8.length, null);
    String name = Utf8.decode(utf8);
    if (name == null) {
      throw new IllegalArgumentException("tree name is not well-formed UTF-8");
    }
    return name;
  }

  private static void checkLength(int len, String name) {
    if (len == 0 || len > MAX_BYTES) {
      throw new IllegalArgumentException("tree name must be 1.." + MAX_BYTES + " UTF-8 bytes, not " + len
          + (name == null ? "" : ": '" + escaped(name) + "'"));
    }
  }

  /** {@code s} with each surrogate shown as {@code \\uXXXX}, so messages stay printable. */
  private static String escaped(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 300));
    for (int i = 0; i < s.length() && sb.length() < 300; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        sb.append(String.format("\\u%04X", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
