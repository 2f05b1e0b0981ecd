package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The one seam between Sapwood and the file system: every byte the engine reads or writes goes
 * through an {@code FileIo}. {@link NioFileIo} is the real one; {@link MemoryFileIo} keeps files in
 * memory for fast tests and can simulate a crash; tests wrap either to inject faults.
 *
 * <p>Implementations are thread-safe.
 */
public interface FileIo {
  /** Opens {@code path} for reading and writing, creating it (empty) if absent. */
  IoFile open(Path path) throws IOException;

  /**
   * Opens the existing file {@code path} for reading only: writing, truncating or forcing through
   * the handle is an {@link IOException}; it can take only {@link IoFile#tryLockShared() shared}
   * locks. Never creates anything.
   *
   * @throws java.nio.file.NoSuchFileException if there is no such file
   */
  IoFile openReadOnly(Path path) throws IOException;

  /** Whether {@code path} exists as a regular file. */
  boolean exists(Path path);

  /** Deletes {@code path} if it exists. */
  void delete(Path path) throws IOException;

  /** Creates {@code dir} and its parents if absent. */
  void createDirectories(Path dir) throws IOException;

  /** The regular files directly in {@code dir}, in no particular order; empty if it is absent. */
  List<Path> list(Path dir) throws IOException;

  /** Makes the creation and deletion of files in {@code dir} durable (fsync of the directory). */
  void syncDirectory(Path dir) throws IOException;

  /** Whether anything — a regular file, a directory, any other entry — is at {@code path}. */
  boolean isPresent(Path path);

  /**
   * Renames {@code from} (a file or a directory) to {@code to} in one atomic step: a reader sees
   * the old name or the new one, never a part. {@code to} must not exist; the caller checks. Make
   * the rename durable with {@link #syncDirectory} of {@code to}'s parent.
   */
  void rename(Path from, Path to) throws IOException;
}
