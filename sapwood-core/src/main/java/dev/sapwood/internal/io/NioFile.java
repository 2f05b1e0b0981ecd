package dev.sapwood.internal.io;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One open file of {@link NioFileIo}, safe against interrupts: no operation fails, and none is
 * left half done, because a thread was interrupted — the caller's or any other.
 *
 * <p>Two descriptors. Positional reads and writes go through a {@link FileChannel} (they run
 * concurrently, without a lock). A thread interrupted during channel I/O makes the JDK close the
 * channel under every thread using it: the interrupted thread sees {@code
 * ClosedByInterruptException}, the others {@code AsynchronousCloseException} or {@code
 * ClosedChannelException}. Each of them reopens the channel (the first one does; the others find
 * it reopened: {@link #reopened} compares the channel that failed with the current one under
 * {@code this}) and does its operation again with its interrupt flag cleared, setting the flag
 * again afterwards. Doing it again is exact: a positional read changes nothing; a positional write
 * of the same bytes at the same offset leaves the file as one write would, whatever part of the
 * first attempt reached it (the engine never has two writes to one range in flight); and an error
 * the first attempt hid behind the interrupt (a full disk) is reported by the second.
 *
 * <p>fsync, truncate and size go through a {@link RandomAccessFile}'s descriptor, whose calls
 * ({@code FileDescriptor.sync()}, {@code setLength}, {@code length}) interrupts do not reach; it is
 * never closed before {@link #close()}. An fsync cannot be done again as above: the kernel reports
 * a write-back error to one fsync per descriptor, and an interrupt that closed the channel during
 * the fsync would hide which. Here, an fsync reports its own outcome, always.
 *
 * <p>A handle opened read-only ({@link #openReadOnly}) refuses writes, truncation, fsync and the
 * exclusive lock with an {@link IOException}; its shared lock ({@link #tryLockShared()}) is joined
 * with the process's other shared holders in {@link SharedLocks}.
 *
 * <p>The lock of {@link #tryLock()} is taken through the channel (a {@code FileLock} needs one); an
 * interrupt during {@code tryLock} closes the channel before the lock is held, and it is taken
 * again. A file used for locking is used for nothing else, so no interrupt can close its channel
 * (and release the lock) afterwards.
 *
 * <p>Invariants: after {@link #close()} nothing reopens the channel ({@code closed} is checked
 * under {@code this}, where the channel is replaced); the channel is only ever replaced by one
 * opened on the same path.
 */
final class NioFile implements IoFile {
  private final Path path;
  private final RandomAccessFile descriptor;
  private volatile FileChannel channel; // replaced under this
  private volatile boolean closed; // set under this
  private FileLock lock; // guarded by this
  private final boolean readOnly;
  private Path sharedKey; // the SharedLocks key while this handle holds a shared lock; guarded by this

  /** An operation on the channel, done again by {@link #retry}. */
  private interface ChannelOp<T> {
    T run(FileChannel ch) throws IOException;
  }

  private NioFile(Path path, FileChannel channel, RandomAccessFile descriptor, boolean readOnly) {
    this.path = path;
    this.channel = channel;
    this.descriptor = descriptor;
    this.readOnly = readOnly;
  }

  /** Opens {@code path} for reading and writing, creating it (empty) if absent. */
  static NioFile open(Path path) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
        StandardOpenOption.CREATE);
    try {
      return new NioFile(path, ch, new RandomAccessFile(path.toFile(), "rw"), false);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Opens the existing file {@code path} for reading only ({@link FileIo#openReadOnly}). */
  static NioFile openReadOnly(Path path) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return new NioFile(path, ch, new RandomAccessFile(path.toFile(), "r"), true);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private void checkWritable() throws IOException {
    if (readOnly) {
      throw new IOException(path + " is open read-only");
    }
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    int start = dst.position();
    FileChannel ch = channel;
    try {
      return readFully(ch, position, dst);
    } catch (ClosedChannelException e) {
      return retry(ch, e, c -> {
        dst.position(start);
        return readFully(c, position, dst);
      });
    }
  }

  private static int readFully(FileChannel ch, long position, ByteBuffer dst) throws IOException {
    int total = 0;
    while (dst.hasRemaining()) {
      int n = ch.read(dst, position + total);
      if (n < 0) {
        return total == 0 ? -1 : total;
      }
      total += n;
    }
    return total;
  }

  @Override
  public void write(long position, ByteBuffer src) throws IOException {
    checkWritable();
    int start = src.position();
    FileChannel ch = channel;
    try {
      writeFully(ch, position, src);
    } catch (ClosedChannelException e) {
      retry(ch, e, c -> {
        src.position(start);
        writeFully(c, position, src);
        return null;
      });
    }
  }

  /**
   * Writes all of {@code src} at {@code position}, in {@code pwrite}s that end at multiples of
   * {@link #WRITE_CHUNK} in the file: the page cache makes the folios of a write no larger than the
   * write, and a later write of a few KiB into a clean large folio is counted (the process's {@code
   * write_bytes}) for the whole folio — up to 27 times the bytes for 32 KiB writes into a file written
   * in 1 MiB pieces (docs/benchmarks.md, "The process's bytes beyond the engine's").
   */
  private static void writeFully(FileChannel ch, long position, ByteBuffer src) throws IOException {
    long at = position;
    int end = src.limit();
    try {
      while (src.position() < end) {
        long next = (at / WRITE_CHUNK + 1) * WRITE_CHUNK;
        src.limit((int) Math.min(end, src.position() + (next - at)));
        at += ch.write(src, at);
      }
    } finally {
      src.limit(end);
    }
  }

  /** The largest piece of a positional write, and the file offsets its pieces end at (see {@link #writeFully}). */
  static final int WRITE_CHUNK = 16 << 10;

  @Override
  public void force() throws IOException {
    checkWritable();
    descriptor.getFD().sync();
  }

  /**
   * Maps the bytes ({@link NioMapping}: maps the region a window at a time as stores reach it, and
   * mapping a window extends the file, sparse, to the window's end); a region over 2 GiB uses the
   * positional writes of {@link IoFile#map}. The file is not extended to {@code size} up front: a
   * log segment that holds only its header (a quiet database's, after a reclaim round started it)
   * is one window long, not the 64 MiB of its mapping (docs/design.md, "Space").
   */
  @Override
  public IoMapping map(long size) throws IOException {
    checkWritable();
    if (size > Integer.MAX_VALUE) {
      return IoFile.super.map(size);
    }
    return new NioMapping(this, size, NioMapping.WINDOW);
  }

  /** Maps {@code [position, position + length)} of the file for reading and writing (one window of a {@link NioMapping}). */
  MappedByteBuffer mapWindow(long position, long length) throws IOException {
    checkWritable();
    FileChannel ch = channel;
    try {
      return ch.map(FileChannel.MapMode.READ_WRITE, position, length);
    } catch (ClosedChannelException e) {
      return retry(ch, e, c -> c.map(FileChannel.MapMode.READ_WRITE, position, length));
    }
  }

  @Override
  public void truncate(long size) throws IOException {
    checkWritable();
    if (descriptor.length() > size) {
      descriptor.setLength(size);
    }
  }

  @Override
  public long size() throws IOException {
    return descriptor.length();
  }

  @Override
  public synchronized boolean tryLock() throws IOException {
    checkWritable();
    if (lock != null) {
      return true; // this handle already holds it
    }
    FileChannel ch = channel;
    try {
      try {
        lock = ch.tryLock();
      } catch (ClosedChannelException e) {
        lock = retry(ch, e, FileChannel::tryLock);
      }
    } catch (OverlappingFileLockException e) {
      return false; // another channel in this JVM holds it
    }
    return lock != null;
  }

  /** A shared lock, joined with this process's other shared holders of the file ({@link SharedLocks}). */
  @Override
  public synchronized boolean tryLockShared() throws IOException {
    if (sharedKey == null) {
      sharedKey = SharedLocks.acquire(path);
    }
    return sharedKey != null;
  }

  /**
   * Runs {@code op} again after it failed on {@code failed} with {@code first}: on the reopened
   * channel, with the caller's interrupt flag cleared (an interrupt pending would close the new
   * channel at once), until it completes — each attempt that another interrupt cuts short is
   * followed by another. Sets the caller's flag again if it was set. Rethrows once the file is
   * closed.
   */
  private <T> T retry(FileChannel failed, ClosedChannelException first, ChannelOp<T> op)
      throws IOException {
    boolean interrupted = false;
    FileChannel bad = failed;
    ClosedChannelException cause = first;
    try {
      while (true) {
        interrupted |= Thread.interrupted();
        FileChannel ch = reopened(bad, cause);
        try {
          return op.run(ch);
        } catch (ClosedChannelException again) {
          bad = ch;
          cause = again;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The channel to use after {@code failed} threw {@code cause}: a new one if {@code failed} is
   * still the current channel (the JDK closed it because a thread was interrupted), else the one
   * another thread opened already. Rethrows {@code cause} if this file was closed.
   */
  private synchronized FileChannel reopened(FileChannel failed, ClosedChannelException cause)
      throws IOException {
    if (closed) {
      throw cause;
    }
    if (channel == failed) {
      if (failed.isOpen()) {
        throw cause; // not closed, so not an interrupt: nothing to redo
      }
      channel = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
          : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    return channel;
  }

  @Override
  public String name() {
    return path.toString();
  }

  @Override
  public synchronized void close() throws IOException {
    // Closing the channel releases its lock.
    lock = null;
    closed = true;
    try {
      channel.close();
    } finally {
      try {
        descriptor.close();
      } finally {
        if (sharedKey != null) {
          Path key = sharedKey;
          sharedKey = null;
          SharedLocks.release(key);
        }
      }
    }
  }
}
