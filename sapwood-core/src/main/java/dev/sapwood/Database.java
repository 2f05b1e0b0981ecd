package dev.sapwood;

import dev.sapwood.internal.engine.Engine;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An open Sapwood database: a directory holding one block file with any number of named
 * {@link Tree}s.
 *
 * <p>Thread-safe: any number of threads may use a database, its trees and (each their own)
 * cursors at once. One process opens a directory for writing at a time; a second open fails with
 * {@link DatabaseLockedException}. Read-only opens ({@link Options#readOnly(boolean)}) share a
 * directory with each other, in any number of processes, but not with a writer.
 *
 * <p>Durability: each write is logged to a write-ahead log before it changes the trees; see
 * {@link Durability} for what each level survives. Everything is durable once {@link #sync()},
 * {@link #checkpoint()} or {@link #close()} returns. Opening a database after a crash recovers it
 * on its own: the last checkpoint, then the log replayed on top, a torn record at the log's end
 * cut off.
 *
 * <p>Errors: anything bad read from disk is a {@link CorruptionException}; an I/O failure is a
 * {@link StorageException}, and after a failed write or fsync every later write fails with it too.
 * Using a closed database is an {@link IllegalStateException}.
 *
 * <p>Interrupts: a thread's interrupt never fails the database and never loses data. File I/O is
 * not interruptible, so a call on an interrupted thread (its flag set before or during the call)
 * reads, writes, checkpoints, opens and closes as usual and returns with the flag still set. The
 * one wait an interrupt cuts short is the wait of a {@link Durability#SYNC} write, or of {@link
 * #sync()}, for another thread's fsync of the log (or an interrupt already set when it begins):
 * it throws {@link SyncInterruptedException}, the flag kept. Such a write was applied (readers see
 * it) and logged, and may or may not be durable yet; the next {@code sync()}, {@code SYNC} write,
 * periodic log sync, checkpoint or {@code close()} makes it durable. Every other thread, and the
 * interrupted one itself, goes on writing. {@link #tree}, {@link #dropTree}, {@link #checkpoint},
 * {@link #compact} and {@link #close} are not cut short by an interrupt.
 */
public interface Database extends AutoCloseable {
  /** Opens (creating if absent) the database in {@code dir} with {@link Options#defaults()}. */
  static Database open(Path dir) {
    return open(dir, Options.defaults());
  }

  /**
   * Opens the database in {@code dir}, creating the directory and database if absent unless
   * {@link Options#createIfMissing(boolean)} is false or the open is {@link Options#readOnly(boolean)
   * read-only}.
   *
   * @throws DatabaseLockedException if another open holds the directory in a way this one cannot
   *     share (a writer, or readers when this one writes)
   * @throws DatabaseNotFoundException if there is no database and this open may not create one
   * @throws CorruptionException if the files are damaged
   */
  static Database open(Path dir, Options options) {
    return Engine.open(dir, options);
  }

  /**
   * The tree named {@code name}, created if absent. A name is valid Unicode (no unpaired
   * surrogate) of 1..255 UTF-8 bytes, and names the same tree exactly when its UTF-8 bytes are the
   * same (no normalization); any other name is an {@link IllegalArgumentException}.
   */
  Tree tree(String name);

  /**
   * The tree named {@code name} if it exists, without creating it (so it works on a {@link
   * Options#readOnly(boolean) read-only} database, where {@link #tree} of a missing tree fails). A
   * name that {@link #tree} would refuse is an {@link IllegalArgumentException}.
   */
  Optional<Tree> findTree(String name);

  /** The names of all trees, sorted. */
  List<String> treeNames();

  /** Removes a tree and all its data; an absent name is an {@link IllegalArgumentException}. */
  void dropTree(String name);

  /**
   * Applies a batch atomically (all or nothing, for readers, checkpoints and crashes) with the
   * durability of {@link Options#durability()}.
   */
  void write(WriteBatch batch);

  /**
   * Applies a batch atomically with the given durability.
   *
   * @throws SyncInterruptedException if {@code durability} is {@code SYNC} and the thread was
   *     interrupted before the batch was durable; the batch is applied, its durability unknown
   */
  void write(WriteBatch batch, Durability durability);

  /**
   * Makes every write acknowledged so far durable (syncs the write-ahead log).
   *
   * @throws SyncInterruptedException if the thread was interrupted before that was done
   */
  void sync();

  /**
   * Writes a checkpoint: everything written so far, logged or not, becomes durable in the block
   * file, and the log before it can be trimmed. Writers go on while it runs.
   *
   * @throws CorruptionException if a read found damage since the database was opened: no
   *     checkpoint is written any more (it could make durable a table that refers to a block that
   *     cannot be read back), writes are refused, and the log keeps what was acknowledged
   *     (docs/durability.md, "Damage found while running"); the cause is the first damage
   */
  void checkpoint();

  /**
   * Flushes every buffered change down to the leaves of every tree (so trees whose keys were
   * deleted merge back down to small trees), then moves blocks from the end of the file into free
   * space below and checkpoints until the file is truncated to about its live size. Everything
   * written before the call is durable when it returns. Readers and writers wait while it runs.
   *
   * @throws CorruptionException as {@link #checkpoint()} does, after a read found damage
   */
  void compact();

  /**
   * Copies the database into {@code target}, a new directory, while readers and writers go on (a
   * hot backup); the copy opens as a database with {@link #open(Path, Options)}.
   *
   * <p>What is in the copy: every change acknowledged before the call began, at any {@link
   * Durability} ({@code NONE} included), every batch whole; changes made while it runs may or may
   * not be there, each batch whole or not at all. The copy is durable (its files and directories
   * fsynced) when the call returns, and appears at {@code target} in one atomic rename: a backup
   * cut short — a crash, a failed write — leaves no {@code target}, at most a hidden temporary
   * directory beside it, {@code .<name>.backup-<hex>}, which can be deleted.
   *
   * <p>Cost: a {@link #checkpoint()} (writers wait only for its brief begin step), then a copy of
   * the live blocks of the block file (the log is not copied: the checkpoint makes it unneeded).
   * Writers, readers and later checkpoints are not blocked while it copies; space the database
   * frees meanwhile is not reused until the copy ends, so the database's file may grow by what is
   * rewritten during the backup, and is trimmed by the checkpoints after it.
   *
   * <p>Thread-safe; backups may run concurrently (to different targets). Closing the database
   * during a backup makes the backup fail.
   *
   * @throws IllegalArgumentException if {@code target} exists (a file or a directory, even an
   *     empty one), has no parent, or lies inside the database's directory
   * @throws StorageException if reading the database or writing the copy fails; a failure of the
   *     copy's own files leaves the database as it was (usable), and nothing at {@code target} (but
   *     if only the final fsync of the parent directory fails, the complete copy is there, its name
   *     perhaps not yet durable)
   * @throws CorruptionException as {@link #checkpoint()} does, after a read found damage
   * @throws IllegalStateException if the database is closed
   */
  void backup(Path target);

  /**
   * Takes a snapshot of every tree: a read-only view of everything committed before this call,
   * unchanged by later writes until it is closed. O(1); never waits for writers. Close it when
   * done (it keeps the old values it needs in memory meanwhile).
   *
   * @throws IllegalStateException if the database is closed
   */
  Snapshot snapshot();

  /** Begins a transaction with {@link Isolation#SNAPSHOT} isolation; see {@link Transaction}. */
  Transaction begin();

  /**
   * Begins a transaction with the given isolation; see {@link Transaction}.
   *
   * @throws IllegalStateException if the database is closed
   */
  Transaction begin(Isolation isolation);

  /**
   * Runs {@code body} in a {@link Isolation#SNAPSHOT} transaction and commits it (unless the body
   * committed or rolled it back itself); on a {@link ConflictException} runs it again in a new
   * transaction after a backoff, up to {@link Options#transactionRetries} times, then throws the
   * last conflict. Any other exception from the body rolls back and propagates. The body may run
   * several times: it should have no effects outside the transaction.
   *
   * @return what the body returned in the attempt that committed
   */
  <T> T transact(java.util.function.Function<Transaction, T> body);

  /** {@link #transact(java.util.function.Function)} with the given isolation. */
  <T> T transact(Isolation isolation, java.util.function.Function<Transaction, T> body);

  /** A snapshot of the status counters. */
  Stats stats();

  /**
   * Checkpoints and releases the directory. Idempotent. After a read found damage it syncs the
   * log instead of checkpointing and throws a {@link CorruptionException} saying so.
   */
  @Override
  void close();
}
