package dev.sapwood;

import dev.sapwood.internal.engine.Engine;
import java.nio.file.Path;
import java.util.List;

/**
 * An open Sapwood database: a directory holding one block file with any number of named
 * {@link Tree}s.
 *
 * <p>Thread-safe: any number of threads may use a database, its trees and (each their own)
 * cursors at once. One process opens a directory at a time; a second open fails with
 * {@link DatabaseLockedException}.
 *
 * <p>Durability: every change completed before {@link #checkpoint()} returns, or before
 * {@link #close()} returns, is on stable storage and is there after a reopen. Reopening after a
 * crash gives back the state of the last completed checkpoint.
 *
 * <p>Errors: anything bad read from disk is a {@link CorruptionException}; an I/O failure is a
 * {@link StorageException}, and after a failed write or fsync every later write fails with it too.
 * Using a closed database is an {@link IllegalStateException}.
 */
public interface Database extends AutoCloseable {
  /** Opens (creating if absent) the database in {@code dir} with {@link Options#defaults()}. */
  static Database open(Path dir) {
    return open(dir, Options.defaults());
  }

  /** Opens (creating the directory and database if absent) the database in {@code dir}. */
  static Database open(Path dir, Options options) {
    return Engine.open(dir, options);
  }

  /** The tree named {@code name}, created if absent. Names are 1..255 UTF-8 bytes. */
  Tree tree(String name);

  /** The names of all trees, sorted. */
  List<String> treeNames();

  /** Removes a tree and all its data; an absent name is an {@link IllegalArgumentException}. */
  void dropTree(String name);

  /** Applies a batch atomically (all or nothing, for readers and for checkpoints). */
  void write(WriteBatch batch);

  /** Makes everything written so far durable. */
  void checkpoint();

  /**
   * Flushes every buffered change down to the leaves of every tree (so trees whose keys were
   * deleted merge back down to small trees), then moves blocks from the end of the file into free
   * space below and checkpoints until the file is truncated to about its live size. Everything
   * written before the call is durable when it returns. Readers and writers wait while it runs.
   */
  void compact();

  /** A snapshot of the status counters. */
  Stats stats();

  /** Checkpoints and releases the directory. Idempotent. */
  @Override
  void close();
}
