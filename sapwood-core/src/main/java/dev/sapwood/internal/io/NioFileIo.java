package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
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

  /** One open channel. Positional reads and writes on a FileChannel are safe concurrently. */
  private static final class NioFile implements IoFile {
    private final Path path;
    private final FileChannel channel;
    private FileLock lock; // guarded by this

    NioFile(Path path, FileChannel channel) {
      this.path = path;
      this.channel = channel;
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
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

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
      long at = position;
      while (src.hasRemaining()) {
        at += channel.write(src, at);
      }
    }

    @Override
    public void force() throws IOException {
      channel.force(true);
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
      channel.close();
    }
  }
}
