package dev.sapwood.internal.wal;

import dev.sapwood.StorageException;
import java.io.IOException;

/**
 * The {@link LogWriter}'s sticky state, shared by its parts: the first I/O failure and whether the
 * log is closed. Every part checks it before it writes, fsyncs or leads a sync.
 *
 * <p>Invariants: the first failure is kept and never replaced or cleared (an fsync is never retried
 * as if it had worked); once closed, the log stays closed. Thread-safe: both fields are volatile,
 * and the first failure is set under this object's monitor (a leaf lock, taken while holding any
 * of the writer's others).
 */
final class LogFailure {
  private volatile boolean closed;
  private volatile RuntimeException failure;

  /** Records {@code e} as the failure unless one came first; returns the first, to be thrown. */
  RuntimeException fail(String what, IOException e) {
    synchronized (this) {
      if (failure == null) {
        failure = new StorageException(what + ": " + e.getMessage(), e);
      }
    }
    return failure;
  }

  /**
   * Throws if the log may not be used.
   *
   * @throws StorageException after a failure, with the first cause
   * @throws IllegalStateException after {@link #markClosed}
   */
  void check() {
    RuntimeException f = failure;
    if (f != null) {
      throw new StorageException("the log refuses writes after an earlier failure: " + f.getMessage(), f);
    }
    if (closed) {
      throw new IllegalStateException("log is closed");
    }
  }

  /** The first failure, or null. */
  RuntimeException failure() {
    return failure;
  }

  boolean closed() {
    return closed;
  }

  void markClosed() {
    closed = true;
  }
}
