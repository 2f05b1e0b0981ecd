package dev.sapwood.internal.util;

import com.github.luben.zstd.Zstd;
import dev.sapwood.Compression;
import java.util.Arrays;
import java.util.Objects;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Compression of node partitions by algorithm code. The code is what is stored on disk next to a
 * compressed partition, so the codes are on disk — never renumber: {@link #NONE} 0, {@link #LZ4} 1,
 * {@link #ZSTD} 2 (Zstandard level {@link #ZSTD_LEVEL}).
 *
 * <p>Decompression always knows the exact decompressed length (stored beside the data) and checks
 * it; any failure is an {@link IllegalArgumentException} that callers turn into a {@code
 * CorruptionException} naming the file and offset.
 */
public final class Compressors {
  /** Stored as is. On disk — never renumber. */
  public static final byte NONE = 0;
  /** LZ4 block format. On disk — never renumber. */
  public static final byte LZ4 = 1;
  /** Zstandard frame. On disk — never renumber. */
  public static final byte ZSTD = 2;

  /** The Zstandard compression level used for {@link #ZSTD}. */
  public static final int ZSTD_LEVEL = 3;

  private static final LZ4Factory LZ4_FACTORY = LZ4Factory.fastestInstance();
  private static final LZ4Compressor LZ4_COMPRESSOR = LZ4_FACTORY.fastCompressor();
  private static final LZ4SafeDecompressor LZ4_DECOMPRESSOR = LZ4_FACTORY.safeDecompressor();

  private Compressors() {}

  /** The on-disk code of {@code c}. */
  public static byte codeOf(Compression c) {
    switch (Objects.requireNonNull(c, "compression")) {
      case NONE:
        return NONE;
      case LZ4:
        return LZ4;
      case ZSTD:
        return ZSTD;
      default:
        throw new IllegalArgumentException("no code for compression " + c);
    }
  }

  /** The compression for an on-disk code; IllegalArgumentException if the code is unknown. */
  public static Compression compressionOf(byte code) {
    switch (code) {
      case NONE:
        return Compression.NONE;
      case LZ4:
        return Compression.LZ4;
      case ZSTD:
        return Compression.ZSTD;
      default:
        throw new IllegalArgumentException("unknown compression code " + code);
    }
  }

  /** Whether {@code code} is a compression code this build knows. */
  public static boolean isKnown(byte code) {
    return code == NONE || code == LZ4 || code == ZSTD;
  }

  /** Compresses {@code src[off, off + len)} with {@code code}; NONE returns a copy. */
  public static byte[] compress(byte code, byte[] src, int off, int len) {
    byte[] out = new byte[maxCompressedLength(code, len)];
    return Arrays.copyOf(out, compress(code, src, off, len, out, 0));
  }

  /** The most bytes {@link #compress(byte, byte[], int, int, byte[], int)} writes for {@code len}. */
  public static int maxCompressedLength(byte code, int len) {
    switch (code) {
      case NONE:
        return len;
      case LZ4:
        return LZ4_COMPRESSOR.maxCompressedLength(len);
      case ZSTD:
        return Math.toIntExact(Zstd.compressBound(len));
      default:
        throw new IllegalArgumentException("unknown compression code " + code);
    }
  }

  /**
   * Compresses {@code src[off, off + len)} into {@code dst} from {@code dstOff}, which must have
   * room for {@link #maxCompressedLength}; returns the bytes written.
   */
  public static int compress(byte code, byte[] src, int off, int len, byte[] dst, int dstOff) {
    Objects.checkFromIndexSize(off, len, src.length);
    Objects.checkFromIndexSize(dstOff, maxCompressedLength(code, len), dst.length);
    switch (code) {
      case NONE:
        System.arraycopy(src, off, dst, dstOff, len);
        return len;
      case LZ4:
        return LZ4_COMPRESSOR.compress(src, off, len, dst, dstOff, dst.length - dstOff);
      case ZSTD:
        {
          long n = Zstd.compressByteArray(dst, dstOff, dst.length - dstOff, src, off, len, ZSTD_LEVEL);
          if (Zstd.isError(n)) {
            throw new IllegalStateException("zstd compression failed: " + Zstd.getErrorName(n));
          }
          return (int) n;
        }
      default:
        throw new IllegalArgumentException("unknown compression code " + code);
    }
  }

  /**
   * The most bytes {@code src[off, off + len)} can decompress to with {@code code}, known before
   * decompressing so that a damaged length allocates nothing: NONE {@code len}; LZ4 {@code 255 ×
   * len} (a block-format sequence of n bytes yields fewer than 255·n); zstd the content size its
   * frame header records (every frame Sapwood writes records it: the one-shot compression knows
   * the size), else 0, so a frame without it can be no frame of ours.
   *
   * @throws IllegalArgumentException if the code is unknown
   */
  public static long maxDecompressedLength(byte code, byte[] src, int off, int len) {
    Objects.checkFromIndexSize(off, len, src.length);
    switch (code) {
      case NONE:
        return len;
      case LZ4:
        return 255L * len;
      case ZSTD:
        {
          long n;
          try {
            n = Zstd.getFrameContentSize(src, off, len);
          } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed zstd input: " + e.getMessage(), e);
          }
          return Math.max(0, n); // unknown (-1) or an error (-2): no frame we wrote
        }
      default:
        throw new IllegalArgumentException("unknown compression code " + code);
    }
  }

  /**
   * Decompresses {@code src[off, off + len)} into exactly {@code dst[dstOff, dstOff + dstLen)}.
   *
   * @throws IllegalArgumentException if the code is unknown, the input is malformed, or it does
   *     not decompress to exactly {@code dstLen} bytes
   */
  public static void decompress(
      byte code, byte[] src, int off, int len, byte[] dst, int dstOff, int dstLen) {
    Objects.checkFromIndexSize(off, len, src.length);
    Objects.checkFromIndexSize(dstOff, dstLen, dst.length);
    int produced;
    switch (code) {
      case NONE:
        if (len != dstLen) {
          throw new IllegalArgumentException(
              "uncompressed length " + len + " differs from expected " + dstLen);
        }
        System.arraycopy(src, off, dst, dstOff, len);
        return;
      case LZ4:
        try {
          produced = LZ4_DECOMPRESSOR.decompress(src, off, len, dst, dstOff, dstLen);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("malformed LZ4 input: " + e.getMessage(), e);
        }
        break;
      case ZSTD:
        {
          long n;
          try {
            n = Zstd.decompressByteArray(dst, dstOff, dstLen, src, off, len);
          } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed zstd input: " + e.getMessage(), e);
          }
          if (Zstd.isError(n)) {
            throw new IllegalArgumentException("malformed zstd input: " + Zstd.getErrorName(n));
          }
          produced = (int) n;
          break;
        }
      default:
        throw new IllegalArgumentException("unknown compression code " + code);
    }
    if (produced != dstLen) {
      throw new IllegalArgumentException(
          "decompressed to " + produced + " bytes, expected " + dstLen);
    }
  }
}
