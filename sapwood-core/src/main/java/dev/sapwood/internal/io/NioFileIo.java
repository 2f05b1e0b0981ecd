package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The real {@link FileIo}: each {@link IoFile} is a {@link FileChannel} opened for reading and
 * writing.
 *
 * <p>{@link IoFile#force()} calls {@code FileChannel.force(true)}, which also makes the file's
 * metadata (its size) durable. The engine fsyncs rarely (at checkpoints and log syncs), and a file
 * that grew or was truncated needs its new size on disk as much as its bytes, so the cheaper
 * {@code force(false)} is not worth the risk.
 */
public final class NioFileIo implements FileIo {

  @Override
  public IoFile open(Path path) throws IOException {
    FileChannel channel =
        FileChannel.open(
            path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    return new NioFile(path, channel);
  }

  @Override
  public boolean exists(Path path) {
    return Files.isRegularFile(path);
  }

  @Override
  public void delete(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).collect(Collectors.toList());
    }
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * One open channel. Positional reads and writes on a FileChannel are safe concurrently.
   *
   * <p>A thread interrupted during I/O makes the JDK close the channel for every thread. A read
   * cut off that way reopens the channel and is retried (a read changes nothing); a write or
   * fsync cut off that way fails (the caller's failure is sticky), and the channel is reopened
   * for the reads that go on.
   */
  private static final class NioFile implements IoFile {
    private final Path path;
    private volatile FileChannel channel;
    private volatile boolean closed;
    private FileLock lock; // guarded by this

    NioFile(Path path, FileChannel channel) {
      this.path = path;
      this.channel = channel;
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
      int start = dst.position();
      try {
        return readOnce(position, dst);
      } catch (ClosedChannelException e) {
        reopen(e);
        dst.position(start);
        boolean interrupted = Thread.interrupted();
        try {
          return readOnce(position, dst);
        } finally {
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
      }
    }

    private int readOnce(long position, ByteBuffer dst) throws IOException {
      int total = 0;
      while (dst.hasRemaining()) {
        int n = channel.read(dst, position + total);
        if (n < 0) {
          return total == 0 ? -1 : total;
        }
        total += n;
      }
      return total;
    }

    /** Reopens a channel the JDK closed because a thread was interrupted; rethrows otherwise. */
    private synchronized void reopen(ClosedChannelException cause) throws IOException {
      if (closed) {
        throw cause;
      }
      if (!channel.isOpen()) {
        channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      }
    }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
      long at = position;
      try {
        while (src.hasRemaining()) {
          at += channel.write(src, at);
        }
      } catch (ClosedChannelException e) {
        reopen(e);
        throw e;
      }
    }

    @Override
    public void force() throws IOException {
      try {
        channel.force(true);
      } catch (ClosedChannelException e) {
        reopen(e);
        throw e;
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      if (channel.size() > size) {
        channel.truncate(size);
      }
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public synchronized boolean tryLock() throws IOException {
      if (lock != null) {
        return true; // this handle already holds it
      }
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        return false; // another channel in this JVM holds it
      }
      return lock != null;
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
      channel.close();
    }
  }
}
