package dev.sapwood.internal.wal;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The zstd stream of a compressed log segment ({@link LogFormat#FLAG_STREAM}, docs/format/log.md):
 * one compression stream per segment, flushed ({@code ZSTD_e_flush}) after each frame's records, so
 * a frame's body is complete on its own on disk yet refers to everything compressed before it in
 * the segment. A lone writer's one-record frames thus compress like records compressed together.
 *
 * <p>Which frames the stream takes ({@link #takesNext}, {@link #took}): it judges what it put out
 * for each {@link #JUDGE_BYTES} of records it took (a group of staged records, or several small
 * frames together: a lone frame's zstd headers say nothing of the data); when that shrank by less
 * than a third, the next {@link #STORE_BYTES} of records go out in stored frames (raw length 0,
 * never given to the stream), and the frame after them is tried again. Why (docs/design.md, "The
 * log compresses what compresses"): zstd's level 1 costs the writers about 8 ns of CPU per byte
 * of poorly compressible records (YCSB's random printable values: a quarter saved), while each
 * byte it saves would cost the kernel about 3 ns to write; below a third saved it buys little of
 * the log's write amplification for a lot of the writers' time.
 *
 * <p>Invariants: {@link #start} is called at the start of every segment (a stream never spans
 * two); the stream is never ended (no zstd frame epilogue: the segment's end is the log's); every
 * byte given to {@link #compress} is in its output when it returns. Not thread-safe: used under
 * the segment writer's {@code fileLock}. Holds native memory (a zstd context of about a megabyte
 * at level 1 with a 512 KiB window, the direct output buffer of {@link #compressDirect}: 64 KiB,
 * grown for larger frames up to {@link #bound}{@code (MAX_STREAM_RAW)}, and a direct input buffer
 * grown the same way up to {@code MAX_STREAM_RAW}) until {@link #close} (the buffers until they are
 * collected). Allocates nothing per frame.
 *
 * <p>zstd-jni sees only direct buffers: the records are copied into the input buffer first, since a
 * heap array handed to it is pinned in a JNI critical region, and on JDK 17–21 those can make
 * another thread's allocation fail with {@code OutOfMemoryError} (the util package's {@code
 * CodecStaging} says how).
 */
final class StreamCompressor implements AutoCloseable {
  /** The direct output buffer's first size: a group write of many small records fits. */
  static final int DIRECT_INITIAL = 64 << 10;

  /** Bytes of records the stream takes between two judgments of what it saves. */
  static final int JUDGE_BYTES = 8 << 10;
  /** Bytes of records stored, without trying the stream, after a judgment that it saved too little. */
  static final int STORE_BYTES = 512 << 10;

  private final ZstdCompressCtx ctx = new ZstdCompressCtx();
  private long judgedRaw; // records taken since the last judgment
  private long judgedOut; // what the stream put out for them
  private long storeLeft; // bytes of records still to store before the stream is tried again
  private ByteBuffer in; // the records, copied; allocated at the first call
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
    judgedRaw = 0;
    judgedOut = 0;
    storeLeft = 0;
  }

  /**
   * Whether a frame of {@code raw} bytes of records goes through the stream; false: it goes out
   * stored (and counts against {@link #STORE_BYTES}), the stream having saved too little lately.
   */
  boolean takesNext(int raw) {
    if (storeLeft > 0) {
      storeLeft -= raw;
      return false;
    }
    return true;
  }

  /** Records that the stream put out {@code out} bytes for a frame's {@code raw} bytes of records. */
  void took(int raw, int out) {
    judgedRaw += raw;
    judgedOut += out;
    if (judgedRaw >= JUDGE_BYTES) {
      if (3 * judgedOut > 2 * judgedRaw) { // less than a third saved
        storeLeft = STORE_BYTES;
      }
      judgedRaw = 0;
      judgedOut = 0;
    }
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
    Objects.checkFromIndexSize(dstOff, bound(len), dst.length);
    ByteBuffer b = compressDirect(src, off, len, 0);
    int n = b.remaining();
    b.get(dst, dstOff, n);
    return n;
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
    direct = grown(direct, at + bound(len), at + bound(LogFormat.MAX_STREAM_RAW));
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
    in = grown(in, len, LogFormat.MAX_STREAM_RAW);
    in.clear();
    in.put(src, off, len).flip();
    while (!ctx.compressByteBufferStream(dst, in, EndDirective.FLUSH)) {
      if (!dst.hasRemaining()) {
        throw new IllegalStateException("zstd put out more than its bound for " + len + " bytes");
      }
    }
    if (in.hasRemaining()) {
      throw new IllegalStateException("zstd left " + in.remaining() + " bytes unflushed");
    }
  }

  /**
   * {@code b}, or a direct buffer replacing it with room for {@code room} bytes: twice the old one
   * (at least {@link #DIRECT_INITIAL}), not past {@code most} unless {@code room} is.
   */
  private static ByteBuffer grown(ByteBuffer b, int room, int most) {
    if (b != null && b.capacity() >= room) {
      return b;
    }
    int was = b == null ? 0 : b.capacity();
    return ByteBuffer.allocateDirect(Math.max(room, Math.min(most, Math.max(2 * was, DIRECT_INITIAL))));
  }

  @Override
  public void close() {
    ctx.close();
  }
}
