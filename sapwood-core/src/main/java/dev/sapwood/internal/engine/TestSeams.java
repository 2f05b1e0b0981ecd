package dev.sapwood.internal.engine;

import dev.sapwood.Options;
import dev.sapwood.internal.io.FileIo;
import java.nio.file.Path;
import java.util.Objects;

/**
 * For tests only: the hooks tests need into the engine and nothing else calls — opening a
 * database on another file system (the in-memory and fault-injecting ones of {@code
 * dev.sapwood.internal.io}), holding a large batch mid-way, and simulating the process dying. Production code opens databases
 * through {@link Engine}.
 */
public final class TestSeams {
  private TestSeams() {}

  /** Opens or creates the database in {@code dir} through {@code io}, for tests only. */
  public static DatabaseImpl open(Path dir, Options options, FileIo io) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    return DatabaseImpl.open(dir, options, Objects.requireNonNull(io, "io"));
  }

  /**
   * Runs {@code step} (null: nothing) on the writer's thread after each message of a batch too
   * large for its roots' buffers is inserted — while it holds the database's exclusive lock and
   * before its MSNs are visible — so a test can hold such a batch mid-way. For tests only.
   */
  public static void onExclusiveBatchStep(DatabaseImpl db, Runnable step) {
    db.onExclusiveBatchStep(step);
  }

  /**
   * Stops the background threads after the task in progress ends, leaving the database open (its
   * writers then flush for themselves), so a test can ask what the background did without racing
   * it: a failure a background flush hit is recorded by the time this returns. For tests only.
   */
  public static void stopBackground(DatabaseImpl db) {
    db.stopBackground();
  }

  /**
   * Simulates the process dying, for crash tests: stops the background threads and marks the
   * database closed without writing, syncing or releasing anything (the caller then crashes the
   * file system, e.g. {@code MemoryFileIo.crash()}, which also drops the lock).
   */
  public static void halt(DatabaseImpl db) {
    db.halt();
  }
}
