package dev.sapwood.internal.engine;

import dev.sapwood.Database;
import dev.sapwood.Options;
import java.nio.file.Path;

/** Opens databases. */
public final class Engine {
  private Engine() {}

  public static Database open(Path dir, Options options) {
    throw new UnsupportedOperationException("engine under construction");
  }
}
