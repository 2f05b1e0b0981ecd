package dev.sapwood.internal.engine;

import dev.sapwood.StorageException;
import dev.sapwood.internal.store.BlockFile;
import java.util.function.Function;
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
 * <p>Which failures fail the database: every write runs in two phases inside the gate. Its
 * <em>check</em> changes nothing (the arguments, the closed and read-only flags and the sticky
 * failure, whether the tree was dropped, a bulk load's preconditions, whether there is a tree to
 * drop...): what it throws is the caller's mistake or a refusal, and fails nothing. Its
 * <em>change</em> starts once the check passed (the roots are latched, the record logged, nodes
 * changed, blocks moved): anything it throws, whatever its type — an {@link
 * IllegalStateException} from a broken invariant, an {@link IllegalArgumentException} from the JDK,
 * an {@link Error} — fails the database, because the trees in memory may be half-changed. The one
 * exception a change may end with that fails nothing is a transaction's {@code
 * ConflictException}, which its validation throws before anything is logged, and which the write
 * path catches inside the change ({@link WritePath#commit}). Background work (flushes, the cleaner,
 * checkpoints, relocation) runs its changes through the same gate, so it fails the database the
 * same way.
 *
 * <p>Invariants: once closed, every operation throws {@link IllegalStateException}; so does every
 * write of a read-only database. Once a change failed ({@link #fail}), or a read found damage
 * ({@link BlockFile#corruption()}: no checkpoint may complete any more), every later write throws a
 * {@link StorageException} carrying the first such failure, and reads go on (they read the trees
 * in memory, as they stood when the change failed).
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

  /** Runs a change under the shared lock (trees latch their own nodes), with no check before it. */
  <T> T writeShared(Supplier<T> change) {
    return writeShared(() -> null, unchecked -> change.get());
  }

  /**
   * Runs {@code check} and then, with what it returned, {@code change} under the shared lock: what
   * the check throws fails nothing (it changed nothing), what the change throws fails the database.
   */
  <C, T> T writeShared(Supplier<C> check, Function<C, T> change) {
    lock.enterShared();
    try {
      checkWritable();
      C checked = check.get();
      return failOnError(() -> change.apply(checked));
    } finally {
      lock.exitShared();
    }
  }

  /**
   * Enters the shared side for a change, as {@link #writeShared} does, without a lambda or a boxed
   * result (a single change's path allocates nothing here); the caller checks what it must, runs
   * the change, passes whatever the change threw to {@link #fail}, and calls {@link #exitShared} in
   * a {@code finally}.
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

  /** Runs a change under the exclusive lock, with no check before it. */
  <T> T write(Supplier<T> change) {
    return write(() -> null, unchecked -> change.get());
  }

  /** {@link #writeShared(Supplier, Function)} under the exclusive lock. */
  <C, T> T write(Supplier<C> check, Function<C, T> change) {
    lock.enterExclusive();
    try {
      checkWritable();
      C checked = check.get();
      return failOnError(() -> change.apply(checked));
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

  private <T> T failOnError(Supplier<T> change) {
    try {
      return change.get();
    } catch (RuntimeException | Error e) {
      fail(e);
      throw e;
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

  /**
   * Records {@code e} as the failure that stops writes, unless one is recorded already: a change
   * threw it after it started, whatever its type (see the class's rule), or a sync or checkpoint
   * failed. An {@link Error} is recorded inside a {@link StorageException} (the failure later writes
   * carry is unchecked and a {@link RuntimeException}).
   */
  void fail(Throwable e) {
    RuntimeException f = e instanceof RuntimeException r ? r
        : new StorageException("a change failed part-way with " + e, e);
    synchronized (this) {
      if (failure == null) {
        failure = f;
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
