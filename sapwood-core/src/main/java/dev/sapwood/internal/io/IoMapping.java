package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A writable region {@code [0, size)} of an {@link IoFile}, written by stores instead of system
 * calls ({@link IoFile#map}): a store is in the operating system's page cache when {@link #put}
 * returns (it survives a killed process, like a positional write), and durable only after {@link
 * #force}; at a power loss, bytes stored since the last force may be lost or torn, page by page in
 * any order. The file reaches at least past every byte stored (an implementation may extend it to
 * {@code size} up front, or as stores reach further: {@link NioFileIo}'s by windows); the region's
 * bytes not yet stored read as zeros; cutting the file ({@link IoFile#truncate}) ends what may be
 * stored.
 *
 * <p>A mapping outlives its file's handle: Java cannot unmap it, so its address space (and, for a
 * deleted file, its disk space) stays until the garbage collector frees the mapping ({@link
 * NioFileIo}'s map a window at a time and let go of the windows stores have left once the next
 * {@link #force} has forced them, so that a long region does not stay resident whole). Thread-safe for stores to disjoint ranges.
 */
public interface IoMapping {
  /** The region's size in bytes. */
  long size();

  /** Stores all of {@code src} at {@code position}; {@code position + src.remaining() <= size()}. */
  void put(long position, ByteBuffer src) throws IOException;

  /**
   * Stores the {@code len} bytes of {@code src} from {@code off} at {@code position}; {@code
   * position + len <= size()}. The same store as {@link #put(long, ByteBuffer)} of them, without a
   * buffer around the array: the log stages a frame per handed-over write, and a {@code
   * ByteBuffer.wrap} passed through this interface was not removed by escape analysis (80 bytes per
   * put).
   */
  void put(long position, byte[] src, int off, int len) throws IOException;

  /** Makes every store so far durable, with the file's length (like {@link IoFile#force}). */
  void force() throws IOException;
}
