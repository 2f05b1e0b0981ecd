package dev.sapwood.internal.store;

import dev.sapwood.CorruptionException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.io.IoFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@link IoFile} whose write failures are sticky, with I/O counters. Every {@link IOException}
 * becomes a {@link StorageException}. The first failed write, fsync or truncate is remembered: from
 * then on every write, fsync and truncate throws a StorageException whose cause is that first
 * failure, so an fsync is never retried as if it had worked. Reads keep working. A thread's
 * interrupt never shows here as a failure: the {@code IoFile} below completes every operation
 * through interrupts ({@code NioFile}).
 *
 * <p>Thread-safe.
 */
final class StickyFile {
  private final IoFile file;
  private volatile Throwable firstFailure;
  final LongAdder bytesWritten = new LongAdder();
  final LongAdder bytesRead = new LongAdder();
  final LongAdder fsyncs = new LongAdder();

  StickyFile(IoFile file) {
    this.file = file;
  }

  String name() {
    return file.name();
  }

  /** Throws the sticky StorageException if a write, fsync or truncate has failed. */
  void checkWritable() {
    Throwable f = firstFailure;
    if (f != null) {
      throw new StorageException(
          file.name() + ": refusing to write after an earlier I/O failure", f);
    }
  }

  /** The first write failure, or null. */
  Throwable failure() {
    return firstFailure;
  }

  void write(long position, byte[] src, int off, int len) {
    checkWritable();
    try {
      file.write(position, ByteBuffer.wrap(src, off, len));
      bytesWritten.add(len);
    } catch (IOException | RuntimeException e) {
      throw fail("write of " + len + " bytes at offset " + position, e);
    }
  }

  void force() {
    checkWritable();
    try {
      file.force();
      fsyncs.increment();
    } catch (IOException | RuntimeException e) {
      throw fail("fsync", e);
    }
  }

  void truncate(long size) {
    checkWritable();
    try {
      file.truncate(size);
    } catch (IOException | RuntimeException e) {
      throw fail("truncate to " + size + " bytes", e);
    }
  }

  /**
   * Reads exactly {@code len} bytes at {@code position} into {@code dst[off, off + len)}.
   *
   * @param what names the structure for messages, e.g. "the block table"
   * @throws CorruptionException if the file ends first (it was truncated)
   */
  void readFully(long position, byte[] dst, int off, int len, String what) {
    readFully(position, dst, off, len, what, -1);
  }

  /**
   * As {@link #readFully(long, byte[], int, int, String)}, the structure named {@code what + n}
   * (e.g. "block " and 17) when {@code n >= 0}: the name is built only if the read fails, not on
   * every read of a get.
   */
  void readFully(long position, byte[] dst, int off, int len, String what, long n) {
    ByteBuffer buf = ByteBuffer.wrap(dst, off, len);
    try {
      while (buf.hasRemaining()) {
        int got = file.read(position + (buf.position() - off), buf);
        if (got < 0) {
          throw new CorruptionException(file.name(), position,
              name(what, n) + " is cut short: the file ends after " + (buf.position() - off) + " of "
                  + len + " bytes");
        }
      }
    } catch (IOException e) {
      throw new StorageException(file.name() + ": read of " + name(what, n) + " at offset " + position
          + " failed", e);
    }
    bytesRead.add(len);
  }

  private static String name(String what, long n) {
    return n < 0 ? what : what + n;
  }

  /**
   * Feeds {@code len} bytes at {@code position} to {@code crc} through a small buffer, so a length
   * read from disk can be checked against its checksum before anything is allocated by it.
   *
   * @throws CorruptionException if the file ends first
   */
  void checksum(long position, long len, java.util.zip.Checksum crc, String what, long whatN) {
    byte[] buf = new byte[(int) Math.min(len, CHECKSUM_CHUNK)];
    long done = 0;
    while (done < len) {
      int n = (int) Math.min(buf.length, len - done);
      readFully(position + done, buf, 0, n, what, whatN);
      crc.update(buf, 0, n);
      done += n;
    }
  }

  /** The buffer {@link #checksum} streams through. */
  private static final int CHECKSUM_CHUNK = 64 << 10;

  /** Reads up to {@code len} bytes at {@code position}; returns how many (0 at end of file). */
  int readUpTo(long position, byte[] dst, int len) {
    ByteBuffer buf = ByteBuffer.wrap(dst, 0, len);
    try {
      while (buf.hasRemaining()) {
        if (file.read(position + buf.position(), buf) < 0) {
          break;
        }
      }
    } catch (IOException e) {
      throw new StorageException(file.name() + ": read at offset " + position + " failed", e);
    }
    bytesRead.add(buf.position());
    return buf.position();
  }

  long size() {
    try {
      return file.size();
    } catch (IOException e) {
      throw new StorageException(file.name() + ": cannot read the file size", e);
    }
  }

  void close() {
    try {
      file.close();
    } catch (IOException e) {
      throw new StorageException(file.name() + ": close failed", e);
    }
  }

  private StorageException fail(String op, Exception e) {
    Throwable first;
    synchronized (this) {
      if (firstFailure == null) {
        firstFailure = e;
      }
      first = firstFailure;
    }
    return new StorageException(file.name() + ": " + op + " failed", first);
  }
}
