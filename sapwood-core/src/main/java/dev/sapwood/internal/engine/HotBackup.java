package dev.sapwood.internal.engine;

import dev.sapwood.StorageException;
import dev.sapwood.internal.events.BackupEvent;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.store.CheckpointCopy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@link dev.sapwood.Database#backup}: copies an open database into a new directory while readers
 * and writers go on. A checkpoint first, so everything acknowledged before the call — {@code
 * Durability.NONE} writes included — is in the checkpoint's image; then its block file image is
 * held ({@link CheckpointCopy}: nothing it refers to is reused while the copy runs) and copied
 * into a temporary directory beside the target, with an empty log (the checkpoint needs none),
 * every file and the directory fsynced; then the directory is renamed to the target in one atomic
 * step and the parent fsynced. A backup cut short (a crash, a failed write) leaves no target, only
 * a temporary directory named {@code .<target>.backup-<hex>}, which is deleted on failure when it
 * can be and is never taken for the target.
 *
 * <p>Invariants: the target appears only complete (rename last); the source is only read, apart
 * from the checkpoint (a failure of the backup's own files never fails the source); the hold is
 * always let go.
 */
final class HotBackup {
  private HotBackup() {}

  /** Runs the backup of {@code db} to {@code target}; see {@link dev.sapwood.Database#backup}. */
  static void run(DatabaseImpl db, FileIo io, Path target) {
    Path abs = target.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    if (parent == null || abs.getFileName() == null) {
      throw new IllegalArgumentException("backup target " + target + " has no parent directory");
    }
    if (io.isPresent(abs)) {
      throw new IllegalArgumentException("backup target " + target + " exists; a backup goes to a new directory");
    }
    if (abs.startsWith(db.dir().toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("backup target " + target + " is inside the database directory " + db.dir());
    }
    BackupEvent event = BackupEvent.start();
    Path tmp = parent.resolve("." + abs.getFileName() + ".backup-"
        + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
    long bytes;
    try (CheckpointCopy copy = db.checkpointAndHold()) {
      bytes = write(io, tmp, copy);
    } catch (IOException e) {
      StorageException se = new StorageException("backup to " + target + " failed: " + e.getMessage(), e);
      deleteQuietly(io, tmp, se);
      throw se;
    } catch (RuntimeException e) {
      deleteQuietly(io, tmp, e);
      throw e;
    }
    try {
      if (io.isPresent(abs)) {
        throw new IllegalArgumentException("backup target " + target + " appeared during the backup");
      }
      io.rename(tmp, abs);
      io.syncDirectory(parent);
    } catch (IOException e) {
      StorageException se = new StorageException("backup to " + target + ": cannot rename " + tmp
          + " to it: " + e.getMessage(), e);
      deleteQuietly(io, tmp, se);
      throw se;
    } catch (RuntimeException e) {
      deleteQuietly(io, tmp, e);
      throw e;
    }
    BackupEvent.finish(event, abs.toString(), bytes);
  }

  /** Writes the database's files into {@code tmp} (created here) and fsyncs them; returns bytes copied. */
  private static long write(FileIo io, Path tmp, CheckpointCopy copy) throws IOException {
    Path wal = tmp.resolve(DatabaseOpener.WAL_DIR);
    io.createDirectories(wal);
    long bytes;
    try (IoFile f = io.open(tmp.resolve(DatabaseOpener.FILE_NAME))) {
      if (f.size() != 0) {
        throw new IOException(f.name() + " is not empty");
      }
      bytes = copy.copyTo(f);
    }
    io.syncDirectory(wal);
    io.syncDirectory(tmp);
    return bytes;
  }

  /** Deletes what a failed backup left in {@code tmp}; a failure to do so rides along on {@code e}. */
  private static void deleteQuietly(FileIo io, Path tmp, Exception e) {
    try {
      Path wal = tmp.resolve(DatabaseOpener.WAL_DIR);
      for (Path p : io.list(wal)) {
        io.delete(p);
      }
      io.delete(wal);
      for (Path p : io.list(tmp)) {
        io.delete(p);
      }
      io.delete(tmp);
    } catch (IOException | RuntimeException suppressed) {
      e.addSuppressed(suppressed);
    }
  }
}
