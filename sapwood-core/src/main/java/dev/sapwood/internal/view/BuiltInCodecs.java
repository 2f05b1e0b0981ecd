package dev.sapwood.internal.view;

import dev.sapwood.Bytes;
import dev.sapwood.Codec;
import dev.sapwood.internal.util.Utf8;
import java.util.Objects;

/** The codecs behind {@link Codec#STRING}, {@link Codec#LONG}, {@link Codec#INT} and {@link Codec#BYTES}. */
public final class BuiltInCodecs {
  private BuiltInCodecs() {}

  /**
   * Strict UTF-8 both ways: an unpaired surrogate is refused on encode (the lenient {@code
   * getBytes} would write {@code '?'}, so {@code "\uD800"} and {@code "?"} would be one key), and
   * bytes that are not well-formed UTF-8 are refused on decode (never read as U+FFFD).
   */
  public static final Codec<String> STRING = new Codec<>() {
    @Override
    public byte[] encode(String value) {
      byte[] out = Utf8.encode(Objects.requireNonNull(value, "value"));
      if (out == null) {
        throw new IllegalArgumentException("Codec.STRING: not valid Unicode (an unpaired surrogate)");
      }
      return out;
    }

    @Override
    public String decode(byte[] bytes) {
      String s = Utf8.decode(bytes);
      if (s == null) {
        throw new IllegalArgumentException("Codec.STRING: " + bytes.length + " bytes that are not well-formed UTF-8");
      }
      return s;
    }

    @Override
    public String toString() {
      return "Codec.STRING";
    }
  };

  public static final Codec<Long> LONG = new Codec<>() {
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

  public static final Codec<Integer> INT = new Codec<>() {
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

  public static final Codec<Bytes> BYTES = new Codec<>() {
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
