package dev.sapwood.internal.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An open file: positional reads and writes, fsync, truncate, size and an exclusive or shared lock. Thread-safe:
 * positional operations may run concurrently.
 */
public interface IoFile extends Closeable {
  /**
   * Reads up to {@code dst.remaining()} bytes at {@code position}; returns the number read, -1 at or
   * past the end of the file. Reads less only at the end of the file.
   */
  int read(long position, ByteBuffer dst) throws IOException;

  /** Writes all of {@code src} at {@code position}, extending the file if needed. */
  void write(long position, ByteBuffer src) throws IOException;

  /** Makes every completed write durable (fsync). */
  void force() throws IOException;

  /** Cuts the file to {@code size} bytes (no-op if it is not longer). */
  void truncate(long size) throws IOException;

  /** The file's current size in bytes. */
  long size() throws IOException;

  /**
   * Takes an exclusive lock on the whole file for this process, held until {@link #close()}; false
   * if another holder (this process or another) has it.
   */
  boolean tryLock() throws IOException;

  /**
   * Takes a shared lock on the whole file, held until {@link #close()}: any number of shared
   * holders at once (handles in this process and in others), none while an exclusive holder
   * ({@link #tryLock()}) has it; false if one does. A handle opened read-only takes only this one.
   */
  boolean tryLockShared() throws IOException;

  /**
   * Maps the file's first {@code size} bytes for writing ({@link IoMapping}), first extending the
   * file with zeros to {@code size} if it is shorter. This default stores through {@link #write}
   * (a positional write is in the page cache when it returns, as a mapped store is), so an
   * in-memory or fault-injecting file keeps its own crash and failure behaviour; {@link
   * NioFileIo}'s files map the bytes.
   */
  default IoMapping map(long size) throws IOException {
    if (size() < size) {
      write(size - 1, ByteBuffer.allocate(1));
    }
    IoFile file = this;
    return new IoMapping() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public void put(long position, ByteBuffer src) throws IOException {
        check(position, src.remaining());
        file.write(position, src);
      }

      @Override
      public void put(long position, byte[] src, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(src, off, len);
        check(position, len);
        file.write(position, b);
      }

      private void check(long position, int len) {
        if (position < 0 || position > size - len) {
          throw new IllegalArgumentException(len + " bytes at " + position + " pass the mapping's " + size
              + " of " + file.name());
        }
      }

      @Override
      public void force() throws IOException {
        file.force();
      }
    };
  }

  /** A name for messages (the path). */
  String name();
}
