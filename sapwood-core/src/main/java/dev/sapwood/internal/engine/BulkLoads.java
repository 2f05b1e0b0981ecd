package dev.sapwood.internal.engine;

import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.tree.TreeContext;

/**
 * A database's bulk loads ({@link BulkLoad}): starts one on a tree, and runs its steps under the
 * {@link DatabaseGate} — each node write on the gate's shared side, as any write (a failure fails
 * the database), and the install of the built tree with no reader or writer inside.
 *
 * <p>Thread-safety: safe from any thread (each load has one owner; the gate orders them against
 * the database's other writes).
 */
final class BulkLoads {
  private final DatabaseImpl db;
  private final DatabaseGate gate;
  private final BlockFile file;
  private final TreeContext ctx;
  private final Counters counters;

  BulkLoads(DatabaseImpl db, DatabaseGate gate, BlockFile file, TreeContext ctx, Counters counters) {
    this.db = db;
    this.gate = gate;
    this.file = file;
    this.ctx = ctx;
    this.counters = counters;
  }

  /** A bulk load into {@code t}; see {@link dev.sapwood.Tree#bulkLoader(double)}. */
  BulkLoad start(TreeImpl t, double leafFill) {
    db.checkWritable();
    return new BulkLoad(db, this, t, file.staging(), ctx, counters, leafFill);
  }

  /** Runs a bulk load's node write under the gate's shared side (a failure fails the database). */
  void write(Runnable write) {
    gate.writeShared(() -> {
      write.run();
      return null;
    });
  }

  /**
   * Runs a bulk load's install with no reader or writer inside the gate, after {@code check} (its
   * preconditions: what it throws fails nothing; what the install throws fails the database).
   */
  void install(Runnable check, Runnable install) {
    gate.write(() -> {
      check.run();
      return null;
    }, checked -> {
      install.run();
      return null;
    });
  }
}
