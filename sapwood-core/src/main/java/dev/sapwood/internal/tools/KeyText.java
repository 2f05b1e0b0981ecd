package dev.sapwood.internal.tools;

import dev.sapwood.internal.util.Utf8;

/** Keys in messages of the tools: quoted text when they are printable UTF-8, else hex. */
final class KeyText {
  private static final int MAX_SHOWN = 48;

  private KeyText() {}

  static String show(byte[] key) {
    String text = printable(key);
    if (text != null) {
      return "'" + (text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "...'" : text + "'");
    }
    StringBuilder sb = new StringBuilder("0x");
    for (int i = 0; i < Math.min(key.length, MAX_SHOWN / 2); i++) {
      sb.append(Character.forDigit((key[i] >> 4) & 0xF, 16)).append(Character.forDigit(key[i] & 0xF, 16));
    }
    return key.length > MAX_SHOWN / 2 ? sb.append("...").toString() : sb.toString();
  }

  /** The key as text if it is valid UTF-8 without control characters, else null. */
  private static String printable(byte[] key) {
    String s = Utf8.decode(key);
    if (s == null) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return null;
      }
    }
    return s;
  }
}
