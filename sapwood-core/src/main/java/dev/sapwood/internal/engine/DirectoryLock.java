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
 * ({@link DatabaseOpener}) or a tool ({@link Inspection}). One holder at a time, in this process or
 * another.
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
        throw new DatabaseLockedException("database " + dir + " is already open (in this or another process)");
      }
      return new DirectoryLock(f);
    } catch (IOException e) {
      throw new StorageException("cannot open " + dir + ": " + IoErrors.describe(e), e);
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
