package dev.sapwood.internal.util;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.Compression;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompressorsTest {
  private static final byte[] CODES = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD};

  @Test
  void codesAreStable() {
    assertEquals(0, Compressors.codeOf(Compression.NONE));
    assertEquals(1, Compressors.codeOf(Compression.LZ4));
    assertEquals(2, Compressors.codeOf(Compression.ZSTD));
    for (Compression c : Compression.values()) {
      assertEquals(c, Compressors.compressionOf(Compressors.codeOf(c)));
    }
  }

  private static void roundTrip(byte code, byte[] data) {
    byte[] padded = new byte[data.length + 7];
    System.arraycopy(data, 0, padded, 3, data.length);
    byte[] c = Compressors.compress(code, padded, 3, data.length);
    byte[] out = new byte[data.length + 4];
    Compressors.decompress(code, c, 0, c.length, out, 2, data.length);
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
    assertTrue(Compressors.compress(Compressors.LZ4, text, 0, text.length).length < text.length / 4);
    assertTrue(Compressors.compress(Compressors.ZSTD, text, 0, text.length).length < text.length / 4);
  }

  @Test
  void wrongLengthsMalformedInputAndUnknownCodesAreIllegalArguments() {
    byte[] text = "abcabcabcabcabcabcabcabcabcabcabcabcabc".repeat(50).getBytes();
    for (byte code : CODES) {
      byte[] c = Compressors.compress(code, text, 0, text.length);
      assertThrows(IllegalArgumentException.class,
          () -> Compressors.decompress(code, c, 0, c.length, new byte[text.length + 1], 0,
              text.length + 1), "too long, code " + code);
      assertThrows(IllegalArgumentException.class,
          () -> Compressors.decompress(code, c, 0, c.length, new byte[text.length], 0,
              text.length - 1), "too short, code " + code);
    }
    byte[] garbage = new byte[64];
    new Random(1).nextBytes(garbage);
    for (byte code : new byte[] {Compressors.LZ4, Compressors.ZSTD}) {
      assertThrows(IllegalArgumentException.class,
          () -> Compressors.decompress(code, garbage, 0, garbage.length, new byte[4096], 0, 4096));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Compressors.decompress((byte) 9, text, 0, 4, new byte[4], 0, 4));
    assertTrue(e.getMessage().contains("9"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Compressors.compress((byte) 3, text, 0, 1));
  }

  @Test
  void everyTruncationOfCompressedDataIsRejectedNotMisread() {
    byte[] text = "0123456789abcdef".repeat(300).getBytes();
    for (byte code : new byte[] {Compressors.LZ4, Compressors.ZSTD}) {
      byte[] c = Compressors.compress(code, text, 0, text.length);
      for (int len = 0; len < c.length; len++) {
        int n = len;
        assertThrows(IllegalArgumentException.class,
            () -> Compressors.decompress(code, c, 0, n, new byte[text.length], 0, text.length),
            "code " + code + " truncated to " + n);
      }
    }
  }

  /**
   * The bound checked before room is made for a frame's output must never be below what a real
   * frame holds (else the frame could not be read back): the most compressible inputs, up to the
   * largest frame, with every codec.
   */
  @Test
  void decompressedLengthBoundHoldsForTheMostCompressibleFrames() {
    Random r = new Random(3);
    for (int len : new int[] {0, 1, 17, 4096, 65536, 1 << 20, 32 << 20}) {
      byte[] zeros = new byte[len];
      byte[] text = new byte[len];
      for (int i = 0; i < len; i++) {
        text[i] = (byte) ('a' + r.nextInt(3));
      }
      for (byte code : new byte[] {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD}) {
        for (byte[] raw : new byte[][] {zeros, text}) {
          byte[] comp = Compressors.compress(code, raw, 0, raw.length);
          long bound = Compressors.maxDecompressedLength(code, comp, 0, comp.length);
          assertTrue(bound >= len, () -> "codec " + code + ": " + comp.length + " bytes of " + len + " bound at " + bound);
          if (code != Compressors.LZ4) {
            assertEquals(len, bound, "NONE and zstd bounds are exact");
          }
        }
      }
    }
  }

  /** Found by the node fuzzer: without a recorded size a zstd frame's raw length was unbounded. */
  @Test
  void aZstdFrameWithoutItsContentSizeBoundsNothing() {
    byte[] raw = new byte[4096];
    byte[] comp;
    try (com.github.luben.zstd.ZstdCompressCtx ctx = new com.github.luben.zstd.ZstdCompressCtx()) {
      ctx.setContentSize(false);
      comp = ctx.compress(raw);
    }
    assertEquals(0, Compressors.maxDecompressedLength(Compressors.ZSTD, comp, 0, comp.length));
  }

  @Test
  void aRawLengthBeyondTheBoundIsReportedBeforeDecompressing() {
    byte[] comp = Compressors.compress(Compressors.LZ4, new byte[4096], 0, 4096);
    assertTrue(Compressors.maxDecompressedLength(Compressors.LZ4, comp, 0, comp.length) < 1 << 30);
    assertThrows(IllegalArgumentException.class, () -> Compressors.maxDecompressedLength((byte) 9, comp, 0, comp.length));
  }

  /**
   * Frames that fit the direct staging buffers and frames that do not (LZ4's Java codec, zstd's
   * array entry points) make and read the same formats: each path's output decodes on the other
   * and with the libraries' own array codecs, around the staging bound.
   */
  @Test
  void stagedAndUnstagedFramesAreTheSameFormatAroundTheStagingBound() {
    Random r = new Random(5);
    int keep = CodecStaging.KEEP;
    net.jpountz.lz4.LZ4Factory lz4 = net.jpountz.lz4.LZ4Factory.fastestInstance();
    for (int len : new int[] {1, 4096, keep / 2, keep - 300, keep - 1, keep, keep + 1, 3 * keep}) {
      byte[] raw = new byte[len];
      for (int i = 0; i < len; i++) {
        raw[i] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 'k');
      }
      byte[] lz = Compressors.compress(Compressors.LZ4, raw, 0, len);
      assertArrayEquals(raw, lz4.safeDecompressor().decompress(lz, len), "LZ4 of " + len + " read by the library");
      byte[] theirs = lz4.fastCompressor().compress(raw);
      byte[] back = new byte[len];
      Compressors.decompress(Compressors.LZ4, theirs, 0, theirs.length, back, 0, len);
      assertArrayEquals(raw, back, "the library's LZ4 of " + len + " read by Compressors");

      byte[] zs = Compressors.compress(Compressors.ZSTD, raw, 0, len);
      assertEquals(len, Compressors.maxDecompressedLength(Compressors.ZSTD, zs, 0, zs.length), "zstd records the size");
      assertArrayEquals(raw, com.github.luben.zstd.Zstd.decompress(zs, len), "zstd of " + len + " read by the library");
      byte[] zTheirs = com.github.luben.zstd.Zstd.compress(raw, Compressors.ZSTD_LEVEL);
      Compressors.decompress(Compressors.ZSTD, zTheirs, 0, zTheirs.length, back, 0, len);
      assertArrayEquals(raw, back, "the library's zstd of " + len + " read by Compressors");
    }
    assertEquals(CodecStaging.SLOTS, CodecStaging.available(), "every staging pair was given back");
  }

  @Test
  void aFailedDecompressionGivesItsStagingPairBack() {
    byte[] garbage = new byte[600];
    new Random(9).nextBytes(garbage);
    for (int i = 0; i < 3 * CodecStaging.SLOTS; i++) {
      for (byte code : new byte[] {Compressors.LZ4, Compressors.ZSTD}) {
        assertThrows(IllegalArgumentException.class,
            () -> Compressors.decompress(code, garbage, 0, garbage.length, new byte[4096], 0, 4096));
      }
    }
    assertEquals(CodecStaging.SLOTS, CodecStaging.available());
  }
}
