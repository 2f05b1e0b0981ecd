package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link FileIo} that passes every call to another and wraps each opened file with
 * {@link #wrap}; tests override {@code wrap} (returning a {@link ForwardingIoFile} subclass) to
 * watch or fail file operations.
 */
public class ForwardingFileIo implements FileIo {
  protected final FileIo inner;

  public ForwardingFileIo(FileIo inner) {
    this.inner = inner;
  }

  /** Wraps a file just opened; the default returns it unchanged. */
  protected IoFile wrap(IoFile file) {
    return file;
  }

  @Override
  public IoFile open(Path path) throws IOException {
    return wrap(inner.open(path));
  }

  @Override
  public IoFile openReadOnly(Path path) throws IOException {
    return wrap(inner.openReadOnly(path));
  }

  @Override
  public boolean exists(Path path) {
    return inner.exists(path);
  }

  @Override
  public void delete(Path path) throws IOException {
    inner.delete(path);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    inner.createDirectories(dir);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return inner.list(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    inner.syncDirectory(dir);
  }

  @Override
  public boolean isPresent(Path path) {
    return inner.isPresent(path);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    inner.rename(from, to);
  }
}
