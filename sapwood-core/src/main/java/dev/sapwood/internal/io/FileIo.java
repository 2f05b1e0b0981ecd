package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.file.Path;

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

  /** Whether {@code path} exists as a regular file. */
  boolean exists(Path path);

  /** Deletes {@code path} if it exists. */
  void delete(Path path) throws IOException;

  /** Creates {@code dir} and its parents if absent. */
  void createDirectories(Path dir) throws IOException;
}
