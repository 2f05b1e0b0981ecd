package dev.sapwood.internal.store;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.Compression;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CodecsTest {
  private static final byte[] CODES = {Codecs.NONE, Codecs.LZ4, Codecs.ZSTD};

  @Test
  void codesAreStable() {
    assertEquals(0, Codecs.codeOf(Compression.NONE));
    assertEquals(1, Codecs.codeOf(Compression.LZ4));
    assertEquals(2, Codecs.codeOf(Compression.ZSTD));
    for (Compression c : Compression.values()) {
      assertEquals(c, Codecs.compressionOf(Codecs.codeOf(c)));
    }
  }

  private static void roundTrip(byte code, byte[] data) {
    byte[] padded = new byte[data.length + 7];
    System.arraycopy(data, 0, padded, 3, data.length);
    byte[] c = Codecs.compress(code, padded, 3, data.length);
    byte[] out = new byte[data.length + 4];
    Codecs.decompress(code, c, 0, c.length, out, 2, data.length);
    byte[] back = new byte[data.length];
    System.arraycopy(out, 2, back, 0, data.length);
    assertArrayEquals(data, back, "code " + code);
  }

  @Test
  void roundTripsEmptyCompressibleAndIncompressibleInput() {
    byte[] random = new byte[70_000];
    new Random(42).nextBytes(random);
    byte[] text = "the quick brown fox jumps over the lazy dog. ".repeat(2000).getBytes();
    for (byte code : CODES) {
      roundTrip(code, new byte[0]);
      roundTrip(code, new byte[] {7});
      roundTrip(code, random);
      roundTrip(code, text);
    }
    assertTrue(Codecs.compress(Codecs.LZ4, text, 0, text.length).length < text.length / 4);
    assertTrue(Codecs.compress(Codecs.ZSTD, text, 0, text.length).length < text.length / 4);
  }

  @Test
  void wrongLengthsMalformedInputAndUnknownCodesAreIllegalArguments() {
    byte[] text = "abcabcabcabcabcabcabcabcabcabcabcabcabc".repeat(50).getBytes();
    for (byte code : CODES) {
      byte[] c = Codecs.compress(code, text, 0, text.length);
      assertThrows(IllegalArgumentException.class,
          () -> Codecs.decompress(code, c, 0, c.length, new byte[text.length + 1], 0,
              text.length + 1), "too long, code " + code);
      assertThrows(IllegalArgumentException.class,
          () -> Codecs.decompress(code, c, 0, c.length, new byte[text.length], 0,
              text.length - 1), "too short, code " + code);
    }
    byte[] garbage = new byte[64];
    new Random(1).nextBytes(garbage);
    for (byte code : new byte[] {Codecs.LZ4, Codecs.ZSTD}) {
      assertThrows(IllegalArgumentException.class,
          () -> Codecs.decompress(code, garbage, 0, garbage.length, new byte[4096], 0, 4096));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Codecs.decompress((byte) 9, text, 0, 4, new byte[4], 0, 4));
    assertTrue(e.getMessage().contains("9"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Codecs.compress((byte) 3, text, 0, 1));
  }

  @Test
  void everyTruncationOfCompressedDataIsRejectedNotMisread() {
    byte[] text = "0123456789abcdef".repeat(300).getBytes();
    for (byte code : new byte[] {Codecs.LZ4, Codecs.ZSTD}) {
      byte[] c = Codecs.compress(code, text, 0, text.length);
      for (int len = 0; len < c.length; len++) {
        int n = len;
        assertThrows(IllegalArgumentException.class,
            () -> Codecs.decompress(code, c, 0, n, new byte[text.length], 0, text.length),
            "code " + code + " truncated to " + n);
      }
    }
  }
}
