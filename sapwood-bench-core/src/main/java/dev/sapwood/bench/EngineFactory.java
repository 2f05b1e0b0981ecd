package dev.sapwood.bench;

import java.nio.file.Path;

/** Opens an engine in a directory with the shared settings. */
public interface EngineFactory {
  /** Short engine name, as in {@link BenchEngine#name()}. */
  String name();

  BenchEngine open(Path dir, EngineSettings settings);
}
