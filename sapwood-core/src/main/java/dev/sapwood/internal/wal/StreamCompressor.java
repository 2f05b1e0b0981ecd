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
 * at level 1 with a 512 KiB window, and the direct output buffer of {@link #compressDirect}: 64 KiB,
 * grown for larger frames up to {@link #bound}{@code (MAX_STREAM_RAW)}) until {@link #close}
 * (the buffer until it is collected). Allocates nothing per frame.
 */
final class StreamCompressor implements AutoCloseable {
  /** The direct output buffer's first size: a group write of many small records fits. */
  static final int DIRECT_INITIAL = 64 << 10;

  private final ZstdCompressCtx ctx = new ZstdCompressCtx();
  private ByteBuffer in = ByteBuffer.allocate(0);
  /**
   * The wrapper of the source array used before {@link #in}'s: the log's frame writer alternates
   * two buffers, so keeping both wrappers means no wrapper is made per frame.
   */
  private ByteBuffer inBefore = ByteBuffer.allocate(0);
  private ByteBuffer out = ByteBuffer.allocate(0);
  private ByteBuffer direct; // compressDirect's output, allocated at its first call

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
    if (out.array() != dst) {
      out = ByteBuffer.wrap(dst);
    }
    out.limit(dst.length).position(dstOff);
    flushInto(out, src, off, len);
    return out.position() - dstOff;
  }

  /**
   * Like {@link #compress}, into this compressor's direct buffer from {@code at}: returns that
   * buffer with its position at {@code at} and its limit after the output, its first {@code at}
   * bytes free for the caller (the frame header goes there). The log writes the frame from it as it
   * is, so neither zstd-jni (a direct destination is not pinned) nor the file channel (a heap
   * source is first copied into a temporary direct buffer) copies or pins the output. The buffer
   * is valid until the next call.
   */
  ByteBuffer compressDirect(byte[] src, int off, int len, int at) {
    int room = at + bound(len);
    if (direct == null || direct.capacity() < room) {
      int most = at + bound(LogFormat.MAX_STREAM_RAW);
      int was = direct == null ? 0 : direct.capacity();
      direct = ByteBuffer.allocateDirect(Math.max(room, Math.min(most, Math.max(2 * was, DIRECT_INITIAL))));
    }
    direct.limit(direct.capacity()).position(at);
    flushInto(direct, src, off, len);
    direct.limit(direct.position()).position(at);
    return direct;
  }

  /**
   * Compresses {@code src[off, off + len)} into {@code dst} from its position and flushes the
   * stream, so every byte given is in the output; {@code dst} has room for {@link #bound}{@code
   * (len)}.
   */
  private void flushInto(ByteBuffer dst, byte[] src, int off, int len) {
    if (in.array() != src) {
      ByteBuffer other = inBefore;
      inBefore = in;
      in = other.array() == src ? other : ByteBuffer.wrap(src);
    }
    in.limit(off + len).position(off);
    while (!ctx.compressByteBufferStream(dst, in, EndDirective.FLUSH)) {
      if (!dst.hasRemaining()) {
        throw new IllegalStateException("zstd put out more than its bound for " + len + " bytes");
      }
    }
    if (in.hasRemaining()) {
      throw new IllegalStateException("zstd left " + in.remaining() + " bytes unflushed");
    }
  }

  @Override
  public void close() {
    ctx.close();
  }
}
