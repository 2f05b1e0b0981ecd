package dev.sapwood.internal.wal;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.nio.ByteBuffer;

/**
 * The zstd stream of a compressed log segment ({@link LogFormat#FLAG_STREAM}, docs/format/log.md):
 * one compression stream per segment, flushed ({@code ZSTD_e_flush}) after each frame's records, so
 * a frame's body is complete on its own on disk yet refers to everything compressed before it in
 * the segment. A lone writer's one-record frames thus compress like records compressed together.
 *
 * <p>Invariants: {@link #start} is called at the start of every segment (a stream never spans
 * two); the stream is never ended (no zstd frame epilogue: the segment's end is the log's); every
 * byte given to {@link #compress} is in its output when it returns. Not thread-safe: used under
 * the segment writer's {@code fileLock}. Holds native memory (a zstd context of about a megabyte
 * at level 1 with a 512 KiB window) until {@link #close}. Allocates nothing per frame.
 */
final class StreamCompressor implements AutoCloseable {
  private final ZstdCompressCtx ctx = new ZstdCompressCtx();
  private ByteBuffer in = ByteBuffer.allocate(0);
  private ByteBuffer out = ByteBuffer.allocate(0);

  StreamCompressor() {
    start();
  }

  /** Starts a new stream (a new segment): what was compressed before is forgotten. */
  void start() {
    ctx.reset(); // session and parameters
    ctx.setLevel(LogFormat.STREAM_LEVEL);
    ctx.setWindowLog(LogFormat.STREAM_WINDOW_LOG);
    ctx.setChecksum(false); // the frame's CRC32C covers the bytes on disk
    ctx.setContentSize(false);
  }

  /** The most bytes {@link #compress} puts out for {@code len} bytes (the first frame's zstd header included). */
  static int bound(int len) {
    return Math.toIntExact(Zstd.compressBound(len)) + 32;
  }

  /**
   * Compresses {@code src[off, off + len)} and flushes; the output goes to {@code dst} from {@code
   * dstOff}, which must have room for {@link #bound}{@code (len)}. Returns the bytes put out.
   */
  int compress(byte[] src, int off, int len, byte[] dst, int dstOff) {
    if (in.array() != src) {
      in = ByteBuffer.wrap(src);
    }
    if (out.array() != dst) {
      out = ByteBuffer.wrap(dst);
    }
    in.limit(off + len).position(off);
    out.limit(dst.length).position(dstOff);
    while (!ctx.compressByteBufferStream(out, in, EndDirective.FLUSH)) {
      if (!out.hasRemaining()) {
        throw new IllegalStateException("zstd put out more than its bound for " + len + " bytes");
      }
    }
    if (in.hasRemaining()) {
      throw new IllegalStateException("zstd left " + in.remaining() + " bytes unflushed");
    }
    return out.position() - dstOff;
  }

  @Override
  public void close() {
    ctx.close();
  }
}
