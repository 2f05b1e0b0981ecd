package dev.sapwood.internal.engine;

import dev.sapwood.DatabaseLockedException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoErrors;
import dev.sapwood.internal.io.IoFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The lock file of a database directory, held by whoever has the database open: the engine
 * ({@link DatabaseOpener}) or a tool ({@link Inspection}). Either one exclusive holder (a writer),
 * or any number of shared ones (read-only opens and tools), in this process or others.
 *
 * <p>Not thread-safe; released once.
 */
final class DirectoryLock {
  static final String LOCK_NAME = "LOCK";

  private final IoFile file;

  private DirectoryLock(IoFile file) {
    this.file = file;
  }

  /**
   * Takes the lock of the database in {@code dir} (which must exist).
   *
   * @throws DatabaseLockedException if another holder has it
   * @throws StorageException if the lock file cannot be opened
   */
  static DirectoryLock take(FileIo io, Path dir) {
    try {
      IoFile f = io.open(dir.resolve(LOCK_NAME));
      if (!f.tryLock()) {
        f.close();
        if (heldShared(io, dir)) {
          throw new DatabaseLockedException("database " + dir + " is already open read-only (in this or another"
              + " process), and a writer needs it to itself");
        }
        throw new DatabaseLockedException("database " + dir + " is already open (in this or another process)");
      }
      return new DirectoryLock(f);
    } catch (IOException e) {
      throw new StorageException("cannot open " + dir + ": " + IoErrors.describe(e), e);
    }
  }

  /**
   * Takes a shared hold on the lock of the database in {@code dir}, beside any other shared
   * holders; writes nothing, unless the lock file is missing (a directory copied without it): then
   * it is created, empty.
   *
   * @throws DatabaseLockedException if a writer has it
   * @throws StorageException if the lock file cannot be opened
   */
  static DirectoryLock takeShared(FileIo io, Path dir) {
    Path p = dir.resolve(LOCK_NAME);
    try {
      if (!io.exists(p)) {
        io.open(p).close();
      }
      IoFile f = io.openReadOnly(p);
      if (!f.tryLockShared()) {
        f.close();
        throw new DatabaseLockedException("database " + dir + " is already open for writing (in this or another"
            + " process), which a read-only open cannot share");
      }
      return new DirectoryLock(f);
    } catch (IOException e) {
      throw new StorageException("cannot lock " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Whether shared holders (and no writer) have the lock: a shared hold taken and let go at once. */
  private static boolean heldShared(FileIo io, Path dir) throws IOException {
    try (IoFile probe = io.openReadOnly(dir.resolve(LOCK_NAME))) {
      return probe.tryLockShared();
    }
  }

  /**
   * Releases the lock.
   *
   * @throws StorageException if the lock file cannot be closed
   */
  void release() {
    try {
      file.close();
    } catch (IOException e) {
      throw new StorageException("cannot release the lock file: " + e.getMessage(), e);
    }
  }

  /** Releases the lock after {@code e} failed an open; a failure to release rides along on it. */
  void releaseAfter(RuntimeException e) {
    try {
      file.close();
    } catch (IOException suppressed) {
      e.addSuppressed(suppressed);
    }
  }
}
