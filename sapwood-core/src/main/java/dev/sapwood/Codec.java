package dev.sapwood;

/**
 * Turns values of one type into bytes and back, for {@link Tree#asMap}. A key codec must be
 * injective and its encodings are ordered as unsigned bytes, so the order of the map is the byte
 * order of the encodings; the built-in codecs make that order the natural one.
 *
 * <p>Implementations are stateless and thread-safe; {@code encode} rejects null with a {@link
 * NullPointerException}, and {@code decode} rejects bytes it did not produce with an {@link
 * IllegalArgumentException}.
 *
 * @param <T> the type encoded
 */
public interface Codec<T> {
  /**
   * UTF-8, strict: a string with an unpaired surrogate is refused by {@code encode} and bytes that
   * are not well-formed UTF-8 by {@code decode} (both {@link IllegalArgumentException}), so the
   * encoding is injective. Byte order is Unicode code point order (which differs from {@link
   * String#compareTo} only for supplementary characters).
   */
  Codec<String> STRING = BuiltInCodecs.STRING;

  /**
   * 8 bytes, big-endian with the sign bit flipped: byte order is numeric order, negatives first.
   * The same encoding as {@link UpdateFunctions#ADD_LONG} counters ({@link UpdateFunctions#fromLong}),
   * so {@code asMap(..., Codec.LONG)} reads counters as the numbers added up. Not the encoding of
   * {@code ByteBuffer.putLong} (plain two's complement): values written that way decode wrongly.
   */
  Codec<Long> LONG = BuiltInCodecs.LONG;

  /** 4 bytes, big-endian with the sign bit flipped: byte order is numeric order, negatives first. */
  Codec<Integer> INT = BuiltInCodecs.INT;

  /** The bytes themselves, in an immutable {@link Bytes}. */
  Codec<Bytes> BYTES = BuiltInCodecs.BYTES;

  /** The bytes of {@code value}. */
  byte[] encode(T value);

  /** The value whose encoding is {@code bytes}. */
  T decode(byte[] bytes);
}
