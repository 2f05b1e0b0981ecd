package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The real {@link FileIo}: each {@link IoFile} is a {@link NioFile}, a {@link FileChannel} for
 * positional reads and writes beside a plain descriptor for fsync, truncate and size.
 *
 * <p>Interrupts: a thread interrupted during I/O on a {@code FileChannel} makes the JDK close the
 * channel, for every thread using it. Sapwood's callers are interrupted as a matter of course
 * (cancelled futures, pools shut down), so no operation here ever fails, or is left half done,
 * because of an interrupt: see {@link NioFile} for how, and {@link #syncDirectory}. Every
 * operation completes, and the caller's interrupt flag is as it was (set if it was interrupted).
 *
 * <p>{@link IoFile#force()} is a full {@code fsync} (what {@code FileChannel.force(true)} does),
 * which also makes the file's size durable. The engine fsyncs rarely (at checkpoints and log
 * syncs), and a file that grew or was truncated needs its new size on disk as much as its bytes,
 * so the cheaper {@code fdatasync} is not worth the risk.
 */
public final class NioFileIo implements FileIo {

  @Override
  public IoFile open(Path path) throws IOException {
    return NioFile.open(path);
  }

  @Override
  public IoFile openReadOnly(Path path) throws IOException {
    return NioFile.openReadOnly(path);
  }

  @Override
  public boolean exists(Path path) {
    return Files.isRegularFile(path);
  }

  @Override
  public boolean isPresent(Path path) {
    return Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void delete(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    try {
      Files.createDirectories(dir);
    } catch (FileAlreadyExistsException e) {
      // Thrown when something that is not a directory is in the way: name it for what it is.
      throw new FileSystemException(dir.toString(), null, "Not a directory");
    }
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

  /**
   * A directory can only be fsynced through a {@code FileChannel}, which an interrupt would close
   * mid-fsync — and an fsync cut short hides its outcome: the error it may have reported is lost
   * with the exception the JDK throws instead, and a second fsync does not report it again. So the
   * fsync runs on a short-lived thread of its own that nothing interrupts, and the caller waits for
   * it without being interruptible (directory syncs are rare: a new log segment, deleted ones, a
   * new database), its interrupt flag kept.
   */
  @Override
  public void syncDirectory(Path dir) throws IOException {
    Throwable[] failure = new Throwable[1];
    Thread syncer = new Thread(() -> {
      try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
        ch.force(true);
      } catch (IOException | RuntimeException e) {
        failure[0] = e;
      }
    }, "sapwood-directory-sync");
    syncer.setDaemon(true);
    syncer.start();
    boolean interrupted = false;
    while (true) {
      try {
        syncer.join(); // makes failure[0] visible here
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure[0] instanceof IOException e) {
      throw e;
    }
    if (failure[0] != null) {
      throw new IOException("fsync of directory " + dir + " failed: " + failure[0], failure[0]);
    }
  }
}
