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
 * NioFileIo}'s map a window at a time and let go of the windows stores have left once forced,
 * by {@link #forceLeft} or the next {@link #force}, so that a long region does not stay resident
 * whole). Thread-safe for stores to
 * disjoint ranges.
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

  /**
   * Bytes {@code [0, prepared())} take stores without a system call: an implementation that
   * readies the region's pages before the first store into them ({@link NioFileIo}'s write zeros
   * over each 16 KiB chunk) has done so below it. This default readies nothing: {@link #size()}.
   */
  default long prepared() {
    return size();
  }

  /**
   * Readies the region up to at least {@code to} (at most {@link #size()}) for stores to come, so
   * that they make no system call; called ahead of the stores by a thread of their owner's, beside
   * them (it never readies a byte already stored). Does nothing after {@link #stopPreparing}. This
   * default does nothing.
   *
   * @throws IOException if readying failed (a store there readies it itself, and may fail too)
   */
  default void prepareAhead(long to) throws IOException {}

  /**
   * Ends {@link #prepareAhead}: waits for one writing now to end its current step, and makes later
   * ones do nothing, so that the file can be cut ({@link IoFile#truncate}) or closed without a
   * write ahead of the stores reaching past the cut. Stores still ready what they need.
   */
  default void stopPreparing() {}

  /**
   * Makes durable the parts of the region that stores have left behind (an implementation that
   * keeps them resident until a force, {@link NioFileIo}'s windows, lets go of them), so that they
   * need not wait in the process's memory for the next {@link #force}; not the file's length, and
   * no promise about any store: only {@link #force} makes stores durable. Called by a thread of
   * the owner's beside the stores. A failure here makes every later call of this and of {@link
   * #force} throw (a write-back that failed once may not fail again, and a force after it must
   * not claim what it lost). This default does nothing.
   *
   * @throws IOException if forcing failed, now or before
   */
  default void forceLeft() throws IOException {}

  /** Makes every store so far durable, with the file's length (like {@link IoFile#force}). */
  void force() throws IOException;
}
