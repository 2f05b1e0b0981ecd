package dev.sapwood.internal.wal;

import com.github.luben.zstd.ZstdDecompressCtx;
import dev.sapwood.CorruptionException;
import dev.sapwood.internal.util.Varint;
import java.nio.ByteBuffer;

/**
 * Decodes the frames of a compressed log segment ({@link LogFormat#FLAG_STREAM}) in order, from
 * the segment's first frame: the counterpart of {@link StreamCompressor}. A frame's body must
 * decode, with the history of the frames before it, to exactly the raw length its header declares
 * — no byte more, none fewer, the whole body consumed — and the stream must neither end inside the
 * segment nor declare a window above {@link LogFormat#STREAM_WINDOW_LOG}; anything else is an
 * {@link IllegalArgumentException} that the reader turns into a {@code CorruptionException} naming
 * the file and the frame's offset.
 *
 * <p>Memory is bounded before anything is allocated: the output buffer grows to the declared raw
 * length, which the reader checked to be at most {@link LogFormat#MAX_STREAM_RAW}, and the zstd
 * context's window to {@code 2^STREAM_WINDOW_LOG} (checked in the stream's header before the
 * first decode). Not thread-safe: one per {@link LogReader}. Holds native memory until {@link
 * #close}.
 */
final class StreamDecoder implements AutoCloseable {
  private ZstdDecompressCtx ctx;
  private byte[] raw = new byte[0];
  private boolean started;
  private ByteBuffer in = ByteBuffer.allocate(0);
  private ByteBuffer out = ByteBuffer.allocate(0);

  /** Starts a new segment's stream. */
  void start() {
    if (ctx == null) {
      ctx = new ZstdDecompressCtx();
    }
    ctx.reset();
    started = false;
  }

  /** The decoded bytes of the last {@link #decode} (its first {@code rawLength} bytes). */
  byte[] raw() {
    return raw;
  }

  /**
   * Decodes the body {@code b[at, at + len)} of the next frame into {@link #raw()}; {@code
   * rawLength} is in {@code [1, MAX_STREAM_RAW]}.
   *
   * @throws IllegalArgumentException if it does not decode to exactly {@code rawLength} bytes
   */
  void decode(byte[] b, int at, int len, int rawLength) {
    if (!started) {
      checkStreamHeader(b, at, len);
      started = true;
    }
    if (raw.length < rawLength + 1) {
      raw = new byte[Math.max(rawLength + 1, Math.min(2 * raw.length, LogFormat.MAX_STREAM_RAW + 1))];
      out = ByteBuffer.wrap(raw);
    }
    if (in.array() != b) {
      in = ByteBuffer.wrap(b);
    }
    in.limit(at + len).position(at);
    out.limit(rawLength + 1).position(0); // one byte of room past the declared length shows an overrun
    while (true) {
      int ip = in.position();
      int op = out.position();
      boolean ended;
      try {
        ended = ctx.decompressByteBufferStream(out, in);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("compressed body does not decode: " + e.getMessage(), e);
      }
      if (ended) {
        throw new IllegalArgumentException("the zstd stream ends inside the segment");
      }
      if (out.position() > rawLength) {
        throw new IllegalArgumentException("compressed body decodes to more than its raw length " + rawLength);
      }
      if (in.position() == ip && out.position() == op) {
        break;
      }
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " bytes of the compressed body were not decoded");
    }
    if (out.position() != rawLength) {
      throw new IllegalArgumentException("compressed body decodes to " + out.position()
          + " bytes, its raw length says " + rawLength);
    }
  }

  /**
   * Decodes the compressed body of the good frame at {@code framePos} (its checksums passed), with
   * the stream of the frames before it, and checks that its records tile it; anything wrong was written so: a
   * {@link CorruptionException}. Lengths are bounded before anything is read or allocated by them.
   */
  void decodeFrame(SegmentInput in, long framePos, int h, long body, long rawLength) {
    if (rawLength > LogFormat.MAX_STREAM_RAW || body > LogFormat.MAX_STREAM_BODY) {
      throw new CorruptionException(in.name(), framePos, "compressed log frame of " + body + " bytes for "
          + rawLength + " raw bytes: above " + LogFormat.MAX_STREAM_BODY + " / " + LogFormat.MAX_STREAM_RAW);
    }
    int at = in.window(framePos + h, (int) body);
    try {
      decode(in.buffer(), at, (int) body, (int) rawLength);
    } catch (IllegalArgumentException e) {
      throw new CorruptionException(in.name(), framePos, "compressed log frame: " + e.getMessage());
    }
    for (int p = 0; p < rawLength; ) {
      long len = Varint.get(raw, p, (int) rawLength, Varint.MAX_INT_BYTES);
      if (len < 0 || len > rawLength - p - Varint.size(len)) {
        throw new CorruptionException(in.name(), framePos, "compressed log frame has a record length "
            + (len < 0 ? "that does not decode" : len + " past its body") + " at raw offset " + p);
      }
      p += Varint.size(len) + (int) len;
    }
  }

  /**
   * Checks the zstd frame header that starts a segment's stream: the magic, no content size,
   * dictionary or single-segment flag (the writer sets none), and a window of at most {@code
   * 2^STREAM_WINDOW_LOG} bytes.
   */
  private static void checkStreamHeader(byte[] b, int at, int len) {
    if (len < 6) {
      throw new IllegalArgumentException("the stream's first body is too short for a zstd header");
    }
    int magic = (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    if (magic != 0xFD2FB528) {
      throw new IllegalArgumentException("the stream does not start with zstd's magic");
    }
    int fhd = b[at + 4] & 0xFF;
    if ((fhd & 0xEB) != 0) { // content size, single segment, reserved, dictionary id: all unset
      throw new IllegalArgumentException("zstd frame header flags 0x" + Integer.toHexString(fhd) + " not written by Sapwood");
    }
    int wd = b[at + 5] & 0xFF;
    long windowLog = 10 + (wd >>> 3);
    long window = (1L << windowLog) + ((1L << windowLog) / 8) * (wd & 7);
    if (window > 1L << LogFormat.STREAM_WINDOW_LOG) {
      throw new IllegalArgumentException("zstd window of " + window + " bytes, above "
          + (1 << LogFormat.STREAM_WINDOW_LOG));
    }
  }

  @Override
  public void close() {
    if (ctx != null) {
      ctx.close();
    }
  }
}
