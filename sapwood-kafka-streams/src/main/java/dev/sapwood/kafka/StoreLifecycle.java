package dev.sapwood.kafka;

import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import java.nio.file.Path;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.StateStoreContext;

/**
 * Opens and closes what lies under one {@link SapwoodKeyValueStore}: its database in {@code
 * stateDir/<name>} with the {@code data} and {@code meta} trees and the store's format checked
 * ({@link StoreMeta#checkFormat}), and the write side, writer and iterators wired to them.
 *
 * <p>Invariants: an open that fails after the database opened closes it again (releasing its
 * directory lock), a failure of that close added to the open's failure as suppressed; a Sapwood
 * failure of an open or a close is a {@link ProcessorStateException} naming the store and its
 * directory, anything else passes unchanged. {@link #db()} and {@link #data()} are those of the
 * last open, to be used only while the store is open.
 *
 * <p>Thread-safety: called by the store's {@code init} and (synchronized) {@code close} only.
 */
final class StoreLifecycle {
  private final String name;
  private final Options options;
  private final StoreFormat format;
  private final StoreCommits writes;
  private final StoreIterators iterators;
  private final StoreWriter writer;
  private Database db;
  private Tree data;
  private Tree meta;
  private Path dir;

  StoreLifecycle(String name, Options options, StoreFormat format, StoreCommits writes,
      StoreIterators iterators, StoreWriter writer) {
    this.name = name;
    this.options = options;
    this.format = format;
    this.writes = writes;
    this.iterators = iterators;
    this.writer = writer;
  }

  /** Opens the database in {@code context}'s state directory and wires the store's parts to it. */
  void open(StateStoreContext context) {
    this.dir = context.stateDir().toPath().resolve(name);
    try {
      db = Database.open(dir, options);
      data = db.tree("data");
      meta = db.tree("meta");
      StoreMeta.checkFormat(meta, format, name, dir);
      long maxUncommitted = SapwoodStores.maxUncommittedBytes(context.appConfigs());
      writes.opened(db, data, meta, dir, context, maxUncommitted);
      iterators.opened(db, data);
      writer.opened(data, context, maxUncommitted);
    } catch (RuntimeException e) {
      closeAfterFailedInit(e);
      throw e instanceof dev.sapwood.SapwoodException
          ? new ProcessorStateException("cannot open Sapwood store " + name + " in " + dir, e) : e;
    }
  }

  /** Drops the writes not committed and closes the database (which checkpoints). */
  void close() {
    writer.clear();
    try {
      db.close();
    } catch (dev.sapwood.SapwoodException e) {
      throw new ProcessorStateException("closing Sapwood store " + name + " in " + dir + " failed", e);
    }
  }

  Database db() {
    return db;
  }

  Tree data() {
    return data;
  }

  /** Releases the database (and its directory lock) when {@link #open} fails after opening it. */
  private void closeAfterFailedInit(RuntimeException cause) {
    if (db != null) {
      try {
        db.close();
      } catch (RuntimeException e) {
        cause.addSuppressed(e);
      }
      db = null;
    }
  }
}
