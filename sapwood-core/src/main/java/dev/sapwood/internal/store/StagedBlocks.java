package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.extentLength;

import java.util.Arrays;
import java.util.Objects;

/**
 * Blocks written to a {@link BlockFile} but not yet mapped in its block table: a bulk load writes
 * a whole tree this way, then maps every block at once ({@link #install}) or gives them all back
 * ({@link #discard}). Until the install, no checkpoint image refers to a staged block, so a crash
 * leaves nothing of them: on open, everything the table does not refer to is free space, and the
 * block numbers above the durable table's are free numbers ({@link BlockFile#open}). Checkpoints,
 * writes and relocations of other blocks go on meanwhile.
 *
 * <p>Invariants: (1) a staged extent is allocated (so no other block is written over it and the
 * free tail a checkpoint truncates ends above it), is in no table or image, and is not counted in
 * {@code writesInFlight}: a checkpoint may begin while a staged write is in flight, because the
 * image is not meant to hold it; (2) each staged block number is in use (handed out by {@link
 * #newBlockNumber}) and unmapped until {@link #install}; (3) after {@link #install}
 * or {@link #discard} the object holds nothing and takes no more blocks.
 *
 * <p>Not thread-safe: one loader owns it. The block file's lock guards the shared state it
 * touches.
 */
public final class StagedBlocks {
  private final BlockFileState s;
  /** Per staged block: number, offset, size. */
  private long[] numbers = new long[16];
  private long[] offsets = new long[16];
  private int[] sizes = new int[16];
  private int count;
  private long bytes;
  private boolean ended;

  StagedBlocks(BlockFileState s) {
    this.s = s;
  }

  /**
   * Hands out a new block number for the next block to stage, kept by this staging: {@link
   * #discard} gives it back, written or not.
   *
   * @throws IllegalStateException if the staging ended or the file is closed
   */
  public long newBlockNumber() {
    checkNotEnded();
    s.checkOpen();
    long n;
    s.lock.lock();
    try {
      n = s.numbers.allocate();
    } finally {
      s.lock.unlock();
    }
    if (count == numbers.length) {
      numbers = Arrays.copyOf(numbers, count * 2);
      offsets = Arrays.copyOf(offsets, count * 2);
      sizes = Arrays.copyOf(sizes, count * 2);
    }
    numbers[count] = n;
    offsets[count] = -1;
    count++;
    return n;
  }

  /**
   * Writes {@code data[off, off + len)} as the staged contents of {@code blockNumber}, the number
   * {@link #newBlockNumber} handed out last, to freshly allocated space.
   *
   * @throws IllegalStateException if the staging ended, the file is closed, or the number is not
   *     the last one handed out, or was written already
   * @throws dev.sapwood.StorageException if the write fails, or an earlier write failed
   */
  public void write(long blockNumber, byte[] data, int off, int len) {
    Objects.checkFromIndexSize(off, len, data.length);
    checkNotEnded();
    s.checkOpen();
    s.file.checkWritable();
    if (count == 0 || numbers[count - 1] != blockNumber || offsets[count - 1] >= 0) {
      throw new IllegalStateException(s.name() + ": block " + blockNumber + " is not the staging's newest number");
    }
    long at;
    s.lock.lock();
    try {
      at = s.extents.allocateLocked(extentLength(len));
    } finally {
      s.lock.unlock();
    }
    boolean written = false;
    try {
      s.file.write(at, data, off, len);
      written = true;
    } finally {
      if (!written) {
        release(at, len);
      }
    }
    offsets[count - 1] = at;
    sizes[count - 1] = len;
    bytes += len;
  }

  /** How many block numbers the staging holds (written or not). */
  public int count() {
    return count;
  }

  /** Bytes staged (unaligned). */
  public long bytes() {
    return bytes;
  }

  /**
   * Maps every staged block at once, under the block file's lock: from now on they are ordinary
   * blocks (not yet in any checkpoint), written into the next checkpoint's image like any other.
   *
   * @throws IllegalStateException if the staging ended, the file is closed, or a number handed out
   *     was never written; nothing is mapped then
   */
  public void install() {
    checkNotEnded();
    s.checkOpen();
    s.lock.lock();
    try {
      for (int i = 0; i < count; i++) {
        if (offsets[i] < 0 || !s.numbers.isInUse(numbers[i]) || s.table.get(numbers[i]) != null) {
          throw new IllegalStateException(s.name() + ": staged block " + numbers[i]
              + " was never written, or was freed or written elsewhere");
        }
      }
      for (int i = 0; i < count; i++) {
        s.installLocked(numbers[i], null, new BlockTable.Entry(offsets[i], sizes[i], false));
      }
    } finally {
      s.lock.unlock();
    }
    ended = true;
  }

  /**
   * Gives every staged extent and block number back (a load abandoned). Safe to call more than
   * once, and after the file closed (then nothing is given back: the file's next open finds them
   * free anyway).
   */
  public void discard() {
    if (ended) {
      return;
    }
    ended = true;
    if (s.closed) {
      return;
    }
    s.lock.lock();
    try {
      for (int i = 0; i < count; i++) {
        if (offsets[i] >= 0) {
          s.extents.retireLocked(offsets[i], extentLength(sizes[i]), false, 0);
        }
        if (s.numbers.isInUse(numbers[i]) && s.table.get(numbers[i]) == null) {
          s.numbers.release(numbers[i]);
        }
      }
    } finally {
      s.lock.unlock();
    }
  }

  private void release(long at, int len) {
    s.lock.lock();
    try {
      s.extents.retireLocked(at, extentLength(len), false, 0);
    } finally {
      s.lock.unlock();
    }
  }

  private void checkNotEnded() {
    if (ended) {
      throw new IllegalStateException("staged blocks already installed or discarded");
    }
  }
}
