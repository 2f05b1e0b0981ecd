package dev.sapwood.internal.engine;

import dev.sapwood.CorruptionException;
import dev.sapwood.SapwoodException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.wal.LogReader;
import dev.sapwood.internal.wal.LogWriter;
import dev.sapwood.internal.wal.PayloadReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Recovery: {@link #recover} replays the log at open ({@link #checkpointReplayed} then makes it
 * durable), and each instance applies one logged record again. Trusts nothing the record says that the engine would not have written: a tree name or id
 * the engine refuses, a tree that does not exist, an update function that is not registered — each fails the open here (a {@link CorruptionException}
 * naming the segment, the record's offset and LSN; a {@link SapwoodException} for a function the
 * caller did not register), before anything is made durable, instead of being accepted now and
 * refused by the engine later. Field-level checks (kinds, lengths against {@link
 * dev.sapwood.Limits}, UTF-8) are {@link LogRecords#decode}'s.
 */
final class LogReplayer implements LogRecords.Visitor {
  private final DatabaseImpl db;
  private final long lsn;
  private final String file;
  private final long offset;

  /**
   * Recovery: replays onto {@code db}'s trees every record of the log in {@code walDir} after
   * {@code checkpointLsn} (the last checkpoint holds everything up to it), counting what it did.
   */
  static LogReader.Result recover(DatabaseImpl db, FileIo io, Path walDir, long checkpointLsn, Counters counters) {
    return recover(db, io, walDir, checkpointLsn, counters, false);
  }

  /** Like the above; if {@code readOnly}, the log's files are left as they are ({@link LogReader}). */
  static LogReader.Result recover(DatabaseImpl db, FileIo io, Path walDir, long checkpointLsn, Counters counters,
      boolean readOnly) {
    LogReader.Result r = LogReader.recover(io, walDir, checkpointLsn,
        (lsn, payload) -> LogRecords.decode(payload, lsn, new LogReplayer(db, lsn, payload)), readOnly);
    counters.counter("recovery.records_replayed").add(r.replayed());
    counters.counter("recovery.torn_bytes").add(r.tornBytes());
    return r;
  }

  /**
   * Recovery's last step at a read-write open: if the log held records to replay, a checkpoint
   * makes them durable in the block file (the next open replays less). If it fails, {@code log}
   * is closed, its failure attached to the first as suppressed, and the first rethrown.
   */
  static void checkpointReplayed(DatabaseImpl db, LogReader.Result r, LogWriter log) {
    try {
      if (r.replayed() > 0) {
        db.checkpoint(); // what was replayed is durable in the block file; the next open replays less
      }
    } catch (RuntimeException e) {
      try {
        log.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  LogReplayer(DatabaseImpl db, long lsn, PayloadReader record) {
    this.db = db;
    this.lsn = lsn;
    this.file = record.file();
    this.offset = record.recordOffset();
  }

  @Override
  public void op(byte type, int treeId, byte[] key, byte[] value, byte[] fn) {
    TreeImpl t = tree(treeId);
    if (fn != null) {
      String name = new String(fn, StandardCharsets.UTF_8);
      if (!db.functions().isRegistered(name)) {
        throw new SapwoodException("database " + db.dir() + ": the log (" + file + ", record LSN " + lsn
            + ") holds an update for function '" + name + "', which is not registered: register it with"
            + " Options.register");
      }
      if (!FunctionRegistry.isBuiltIn(name)) {
        db.catalog().functions.add(name);
      }
    }
    t.beTree().apply(type, key, value, fn);
  }

  @Override
  public void createTree(int treeId, String name) {
    try {
      TreeNames.check(name);
    } catch (IllegalArgumentException e) {
      throw corrupt("creates a tree with a name the engine refuses: " + e.getMessage());
    }
    if (!Catalog.isValidTreeId(treeId)) {
      throw corrupt("creates tree '" + name + "' with id " + treeId + ", outside [1, " + Catalog.MAX_TREE_ID + "]");
    }
    if (db.trees().contains(name) || treeId < db.catalog().nextTreeId) {
      throw corrupt("creates tree '" + name + "' (id " + treeId + ") that exists");
    }
    db.trees().createReplayed(name, treeId);
  }

  @Override
  public void dropTree(int treeId) {
    db.trees().drop(tree(treeId));
  }

  private TreeImpl tree(int id) {
    TreeImpl t = db.trees().byId(id);
    if (t == null) {
      throw corrupt("names unknown tree " + id);
    }
    return t;
  }

  private CorruptionException corrupt(String what) {
    return new CorruptionException(file, offset, "log record LSN " + lsn + " " + what);
  }
}
