package dev.sapwood.internal.util;

import com.github.luben.zstd.Zstd;
import dev.sapwood.Compression;
import java.nio.ByteBuffer;
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
 *
 * <p>The native codecs see only direct buffers ({@link CodecStaging}: a heap array handed to JNI is
 * pinned in a critical region, which on JDK 17–21 can make another thread's allocation fail with
 * {@code OutOfMemoryError}). A frame too large for the staging buffers goes through LZ4's pure-Java
 * codec (same format, slower, pins nothing), or through zstd-jni's array entry points (zstd frames
 * are not the default, and frames that large are rare: one record of tens of KiB).
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
  /** Whether LZ4 runs native code (else the fastest instance is Java, and pins nothing anyway). */
  private static final boolean LZ4_NATIVE = isNative(LZ4_FACTORY);
  /** For frames larger than the staging buffers: LZ4 in Java without Unsafe, the same format. */
  private static final LZ4Factory LZ4_JAVA = LZ4Factory.safeInstance();

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
        {
          int most = maxCompressedLength(code, len);
          if (!LZ4_NATIVE || !CodecStaging.fits(most)) {
            LZ4Compressor c = LZ4_NATIVE ? LZ4_JAVA.fastCompressor() : LZ4_COMPRESSOR;
            return c.compress(src, off, len, dst, dstOff, dst.length - dstOff);
          }
          return (int) staged(src, off, len, most, dst, dstOff, LZ4_COMPRESS);
        }
      case ZSTD:
        {
          int most = maxCompressedLength(code, len);
          long n;
          if (!CodecStaging.fits(most)) {
            n = Zstd.compressByteArray(dst, dstOff, dst.length - dstOff, src, off, len, ZSTD_LEVEL);
          } else {
            n = staged(src, off, len, most, dst, dstOff, ZSTD_COMPRESS);
          }
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
          produced = decompressLz4(src, off, len, dst, dstOff, dstLen);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("malformed LZ4 input: " + e.getMessage(), e);
        }
        break;
      case ZSTD:
        {
          long n;
          try {
            n = decompressZstd(src, off, len, dst, dstOff, dstLen);
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

  /** LZ4-decompresses {@code src[off, off + len)} into {@code dst} from {@code dstOff}, at most {@code dstLen} bytes; returns how many. */
  private static int decompressLz4(byte[] src, int off, int len, byte[] dst, int dstOff, int dstLen) {
    if (!LZ4_NATIVE || !CodecStaging.fits(len) || !CodecStaging.fits(dstLen)) {
      LZ4SafeDecompressor d = LZ4_NATIVE ? LZ4_JAVA.safeDecompressor() : LZ4_DECOMPRESSOR;
      return d.decompress(src, off, len, dst, dstOff, dstLen);
    }
    return (int) staged(src, off, len, dstLen, dst, dstOff, LZ4_DECOMPRESS);
  }

  /** As {@link #decompressLz4} for a zstd frame; returns zstd's result (a length or an error code). */
  private static long decompressZstd(byte[] src, int off, int len, byte[] dst, int dstOff, int dstLen) {
    if (!CodecStaging.fits(len) || !CodecStaging.fits(dstLen)) {
      return Zstd.decompressByteArray(dst, dstOff, dstLen, src, off, len);
    }
    return staged(src, off, len, dstLen, dst, dstOff, ZSTD_DECOMPRESS);
  }

  /** A native codec call from a staged input of {@code inLen} bytes into a staged output of {@code outCap}. */
  @FunctionalInterface
  private interface StagedCall {
    /** The bytes put out, or a negative zstd error code; LZ4 throws on malformed input. */
    long run(ByteBuffer in, int inLen, ByteBuffer out, int outCap);
  }

  // Non-capturing, so one instance each: a staged call allocates nothing.
  private static final StagedCall LZ4_COMPRESS = (in, inLen, out, outCap) -> LZ4_COMPRESSOR.compress(in, 0, inLen, out, 0, outCap);
  private static final StagedCall LZ4_DECOMPRESS = (in, inLen, out, outCap) -> LZ4_DECOMPRESSOR.decompress(in, 0, inLen, out, 0, outCap);
  private static final StagedCall ZSTD_COMPRESS = (in, inLen, out, outCap) -> Zstd.compressDirectByteBuffer(out, 0, outCap, in, 0, inLen, ZSTD_LEVEL);
  private static final StagedCall ZSTD_DECOMPRESS = (in, inLen, out, outCap) -> Zstd.decompressDirectByteBuffer(out, 0, outCap, in, 0, inLen);

  /**
   * Runs {@code call} on {@code src[off, off + len)} through a pair of {@link CodecStaging} buffers
   * (both sides fit: the caller checked) and copies what it put out to {@code dst} from {@code
   * dstOff}; returns the call's result (a negative one, a zstd error, copies nothing).
   */
  private static long staged(byte[] src, int off, int len, int outCap, byte[] dst, int dstOff, StagedCall call) {
    CodecStaging.Pair p = CodecStaging.take();
    try {
      ByteBuffer out = p.out(outCap);
      long n = call.run(p.in(src, off, len), len, out, outCap);
      if (n >= 0) {
        out.get(0, dst, dstOff, (int) n);
      }
      return n;
    } finally {
      CodecStaging.give(p);
    }
  }

  private static boolean isNative(LZ4Factory f) {
    try {
      return f == LZ4Factory.nativeInstance();
    } catch (Throwable t) { // no native library for this platform
      return false;
    }
  }
}
