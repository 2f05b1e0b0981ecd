package dev.sapwood.internal.engine;

import dev.sapwood.StorageException;
import dev.sapwood.internal.store.BlockFile;
import java.util.function.Supplier;

/**
 * The gate every operation of an open database passes: the database-wide lock, the closed flag
 * and the sticky failure.
 *
 * <p>Locking: reads, single changes and batches run under the shared side ({@link #read}, {@link
 * #writeShared}; trees latch their own nodes, and a batch holds its roots' latches while its
 * messages go in); a batch larger than a node, tree creation and dropping, {@code compact} and a
 * checkpoint's begin run under the exclusive side ({@link #write}). A checkpoint's begin
 * therefore never sees part of a change, and a reader of a tree sees all or none of a batch's
 * messages to it.
 *
 * <p>Invariants: once closed, every operation throws {@link IllegalStateException}; so does every
 * write of a read-only database. Once a write
 * path failed ({@link #fail}: the trees in memory may be half-changed), or a read found damage
 * ({@link BlockFile#corruption()}: no checkpoint may complete any more), every later write throws
 * a {@link StorageException} carrying the first such failure, and reads go on. A caller mistake
 * ({@link IllegalArgumentException}, {@link IllegalStateException}) fails nothing.
 */
final class DatabaseGate {
  private final GateLock lock = new GateLock(); // no per-thread hold counts: see GateLock
  private final BlockFile file;
  private final boolean readOnly;
  private volatile boolean closed;
  private volatile RuntimeException failure;

  DatabaseGate(BlockFile file) {
    this(file, false);
  }

  /** A gate that refuses every write ({@link #checkWritable}) if {@code readOnly}. */
  DatabaseGate(BlockFile file, boolean readOnly) {
    this.file = file;
    this.readOnly = readOnly;
  }

  /** Runs a read under the shared lock. */
  <T> T read(Supplier<T> op) {
    lock.enterShared();
    try {
      checkOpen();
      return op.get();
    } finally {
      lock.exitShared();
    }
  }

  /** Runs a change under the shared lock (trees latch their own nodes). */
  <T> T writeShared(Supplier<T> op) {
    lock.enterShared();
    try {
      checkWritable();
      return failOnError(op);
    } finally {
      lock.exitShared();
    }
  }

  /**
   * Enters the shared side for a change, as {@link #writeShared} does, without a lambda or a boxed
   * result (a single change's path allocates nothing here); the caller runs the change, passes a
   * failure through {@link #failed}, and calls {@link #exitShared} in a {@code finally}.
   */
  void enterShared() {
    lock.enterShared();
    try {
      checkWritable();
    } catch (RuntimeException | Error e) {
      lock.exitShared();
      throw e;
    }
  }

  /** Leaves the shared side entered by {@link #enterShared}. */
  void exitShared() {
    lock.exitShared();
  }

  /**
   * What {@link #writeShared} does with a change's failure: fails the database unless {@code e}
   * is a caller mistake ({@link IllegalArgumentException}, {@link IllegalStateException});
   * returns {@code e} for the caller to throw.
   */
  RuntimeException failed(RuntimeException e) {
    if (!(e instanceof IllegalArgumentException) && !(e instanceof IllegalStateException)) {
      fail(e);
    }
    return e;
  }

  /** Runs a change under the exclusive lock. */
  <T> T write(Supplier<T> op) {
    lock.enterExclusive();
    try {
      checkWritable();
      return failOnError(op);
    } finally {
      lock.exitExclusive();
    }
  }

  /**
   * Marks the database closed and runs {@code release} under the exclusive lock, so no operation
   * is inside the gate while the files close.
   */
  void closeWith(Runnable release) {
    lock.enterExclusive();
    try {
      closed = true;
      release.run();
    } finally {
      lock.exitExclusive();
    }
  }

  /** Marks the database closed without waiting for anything (a simulated crash). */
  void markClosed() {
    closed = true;
  }

  private <T> T failOnError(Supplier<T> op) {
    try {
      return op.get();
    } catch (RuntimeException e) {
      throw failed(e);
    }
  }

  /**
   * What stops writes: the first failed write path, else the first damage a read found (a
   * checkpoint could not make the trees durable without the damaged block; the log keeps what was
   * acknowledged, and a reopen replays it onto the last checkpoint).
   */
  RuntimeException failure() {
    RuntimeException f = failure;
    return f != null ? f : file.corruption();
  }

  /** Whether a write path failed (damage found by a read does not count). */
  boolean writeFailed() {
    return failure != null;
  }

  /** Records {@code e} as the failure that stops writes, unless one is recorded already. */
  void fail(RuntimeException e) {
    synchronized (this) {
      if (failure == null) {
        failure = e;
      }
    }
  }

  /** @throws IllegalStateException if the database was opened read-only */
  void checkNotReadOnly() {
    if (readOnly) {
      throw new IllegalStateException("database is open read-only (Options.readOnly): it takes no writes");
    }
  }

  boolean isReadOnly() {
    return readOnly;
  }

  boolean isClosed() {
    return closed;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("database is closed");
    }
  }

  void checkWritable() {
    checkOpen();
    checkNotReadOnly();
    RuntimeException f = failure();
    if (f != null) {
      throw new StorageException("database refuses writes after an earlier failure: " + f.getMessage(), f);
    }
  }
}
