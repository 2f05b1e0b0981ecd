package dev.sapwood.internal.util;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 both ways, for everything whose bytes must stand for exactly one string (tree
 * names, function names, {@code Codec.STRING}, keys shown as text): an unpaired surrogate is
 * refused on encode (the lenient {@link String#getBytes} writes {@code '?'}, so two strings would
 * share one encoding), and bytes that are not well-formed UTF-8 — overlong forms and encoded
 * surrogates included — are refused on decode (never read as U+FFFD). Between valid strings and
 * well-formed UTF-8 the two are inverse bijections. Stateless and thread-safe.
 */
public final class Utf8 {
  private Utf8() {}

  /** The UTF-8 of {@code s}, or null if {@code s} holds an unpaired surrogate. */
  public static byte[] encode(String s) {
    try {
      ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(s));
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The string whose UTF-8 is {@code b}, or null if {@code b} is not well-formed UTF-8. */
  public static String decode(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
