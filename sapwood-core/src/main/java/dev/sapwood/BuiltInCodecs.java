package dev.sapwood;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The codecs behind {@link Codec#STRING}, {@link Codec#LONG}, {@link Codec#INT} and {@link Codec#BYTES}. */
final class BuiltInCodecs {
  private BuiltInCodecs() {}

  /**
   * Strict UTF-8 both ways: an unpaired surrogate is refused on encode (the lenient {@code
   * getBytes} would write {@code '?'}, so {@code "\uD800"} and {@code "?"} would be one key), and
   * bytes that are not well-formed UTF-8 are refused on decode (never read as U+FFFD).
   */
  static final Codec<String> STRING = new Codec<>() {
    @Override
    public byte[] encode(String value) {
      Objects.requireNonNull(value, "value");
      try {
        ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .encode(CharBuffer.wrap(value));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("Codec.STRING: not valid Unicode (an unpaired surrogate)");
      }
    }

    @Override
    public String decode(byte[] bytes) {
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("Codec.STRING: " + bytes.length + " bytes that are not well-formed UTF-8");
      }
    }

    @Override
    public String toString() {
      return "Codec.STRING";
    }
  };

  static final Codec<Long> LONG = new Codec<>() {
    @Override
    public byte[] encode(Long value) {
      long v = Objects.requireNonNull(value, "value") ^ Long.MIN_VALUE;
      byte[] b = new byte[8];
      for (int i = 0; i < 8; i++) {
        b[i] = (byte) (v >>> (56 - 8 * i));
      }
      return b;
    }

    @Override
    public Long decode(byte[] bytes) {
      if (bytes.length != 8) {
        throw new IllegalArgumentException("a LONG is 8 bytes, not " + bytes.length);
      }
      long v = 0;
      for (byte x : bytes) {
        v = v << 8 | (x & 0xFF);
      }
      return v ^ Long.MIN_VALUE;
    }

    @Override
    public String toString() {
      return "Codec.LONG";
    }
  };

  static final Codec<Integer> INT = new Codec<>() {
    @Override
    public byte[] encode(Integer value) {
      int v = Objects.requireNonNull(value, "value") ^ Integer.MIN_VALUE;
      return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    @Override
    public Integer decode(byte[] bytes) {
      if (bytes.length != 4) {
        throw new IllegalArgumentException("an INT is 4 bytes, not " + bytes.length);
      }
      int v = (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF);
      return v ^ Integer.MIN_VALUE;
    }

    @Override
    public String toString() {
      return "Codec.INT";
    }
  };

  static final Codec<Bytes> BYTES = new Codec<>() {
    @Override
    public byte[] encode(Bytes value) {
      return Objects.requireNonNull(value, "value").toByteArray();
    }

    @Override
    public Bytes decode(byte[] bytes) {
      return Bytes.of(bytes);
    }

    @Override
    public String toString() {
      return "Codec.BYTES";
    }
  };
}
