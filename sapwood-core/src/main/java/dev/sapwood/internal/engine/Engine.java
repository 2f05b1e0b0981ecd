package dev.sapwood.internal.engine;

import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.internal.io.NioFileIo;
import java.nio.file.Path;
import java.util.Objects;

/** Opens databases on the real file system. */
public final class Engine {
  private Engine() {}

  public static Database open(Path dir, Options options) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    return DatabaseImpl.open(dir, options, new NioFileIo());
  }
}
