package dev.sapwood.internal.engine;

import dev.sapwood.ConflictException;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.SyncInterruptedException;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.tree.BeTree;
import dev.sapwood.internal.tree.MessageType;
import dev.sapwood.internal.tree.TreeContext;
import dev.sapwood.internal.tree.RangeUpdates;
import dev.sapwood.internal.util.ThreadScratch;
import dev.sapwood.internal.wal.LogWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Every change to an open database: single changes, batches, creating and dropping trees, and the
 * wait for each one's durability.
 *
 * <p>Invariants: for every key, the order of its changes in the log is the order in which the tree
 * applies them (their MSN order), so replaying the log rebuilds what was acknowledged. One
 * protocol keeps it for single changes and batches alike ({@link Sequencer}): the roots a change
 * touches are latched (ascending tree id), then its record is logged and its MSNs taken in one
 * critical section. A batch runs beside other writers and readers under the gate's shared side;
 * only one too large to sit in its roots' buffers at once ({@link #SHARED_BATCH_FRACTION} of a
 * node) takes the exclusive side, so it can be flushed between its messages. Creating and dropping
 * a tree take the exclusive side. A change is in the log (if logged at all) before it changes a
 * node. A change whose logging or applying fails, whatever the exception, fails the database;
 * only what is checked before it starts (a dropped tree, a missing tree to drop) and a
 * transaction's conflict fail nothing ({@link DatabaseGate}'s rule). Waiting for durability
 * happens outside every lock.
 */
final class WritePath {
  private static final byte[] EMPTY = new byte[0];
  /**
   * A batch of at most this fraction of a node's bytes is inserted with its roots latched (the
   * shared side): a root may hold up to twice a node before its writer must flush, so such a batch
   * never leaves one far past that.
   */
  static final int SHARED_BATCH_FRACTION = 1;
  /** The largest single-change record encoded into a thread's reused scratch array. */
  static final int SCRATCH_MAX = 16 << 10;

  /** One change of a batch, resolved to its tree and its stored form. */
  record Op(TreeImpl tree, byte type, byte[] key, byte[] value, byte[] fn) {}

  private final DatabaseImpl db;
  private final DatabaseGate gate;
  private final TreeRegistry trees;
  private final Catalog catalog;
  private final LogWriter log;
  private final Durability durability;
  private final Sequencer sequencer;
  private final long sharedBatchBytes;
  /** The stored names of the functions changes name, each checked and encoded once. */
  private final StoredNames storedNames;
  /** Each writer thread's scratch array for its single-change records (the log copies them). */
  private final ThreadScratch scratch = new ThreadScratch(256, SCRATCH_MAX);

  WritePath(DatabaseImpl db, DatabaseGate gate, TreeRegistry trees, Catalog catalog,
      FunctionRegistry functions, LogWriter log, Options options, TreeContext ctx) {
    this.db = db;
    this.gate = gate;
    this.trees = trees;
    this.catalog = catalog;
    this.storedNames = new StoredNames(functions, catalog);
    this.log = log;
    this.durability = options.durability();
    this.sequencer = new Sequencer(log, ctx, db.conflicts());
    this.sharedBatchBytes = (long) options.nodeSize() * SHARED_BATCH_FRACTION;
  }

  /** The highest MSN at or below which every acknowledged change is wholly in the trees. */
  long visibleMsn() {
    return sequencer.visibleMsn();
  }

  /**
   * A single change through tree {@code t}. Allocates nothing of its own: its log record is
   * encoded into this thread's scratch array ({@link ThreadScratch}: bounded, a fresh array past
   * {@link #SCRATCH_MAX}), which the log copies, and the gate is entered without a lambda.
   */
  void change(TreeImpl t, byte type, byte[] key, byte[] value, byte[] fn) {
    Durability d = durability;
    byte[] record = null;
    int recordLen = 0;
    if (d != Durability.NONE) {
      recordLen = LogRecords.singleSize(t.id(), key, value, fn);
      record = scratch.take(recordLen);
      LogRecords.putSingle(record, type, t.id(), key, value, fn);
    }
    long lsn;
    gate.enterShared();
    try {
      BeTree tree = t.beTree(); // the check: a dropped tree is the caller's mistake, nothing changed
      try { // the change: whatever it throws fails the database (DatabaseGate)
        tree.latchRoot();
        try {
          lsn = sequencer.sequence(record, recordLen, t, type, key, value, fn);
        } catch (RuntimeException | Error e) {
          tree.abandonLatch();
          throw e;
        }
        tree.unlatchRoot();
      } catch (RuntimeException | Error e) {
        gate.fail(e);
        throw e;
      }
    } finally {
      gate.exitShared();
    }
    afterWrite(d, lsn, true);
  }

  /** The changes of {@code batch}, logged as one record and applied together. */
  void write(WriteBatch batch, Durability d) {
    Objects.requireNonNull(d, "durability");
    List<Op> ops = new ArrayList<>(batch.size());
    batch.forEach(new WriteBatch.Handler() {
      @Override
      public void put(Tree tree, byte[] key, byte[] value) {
        ops.add(new Op(db.own(tree), MessageType.PUT, key, value, null));
      }

      @Override
      public void delete(Tree tree, byte[] key) {
        ops.add(new Op(db.own(tree), MessageType.DELETE, key, EMPTY, null));
      }

      @Override
      public void update(Tree tree, byte[] key, UpdateFunction fn, byte[] argument) {
        ops.add(new Op(db.own(tree), MessageType.UPDATE, key, argument, storedName(fn)));
      }

      @Override
      public void updateRange(Tree tree, byte[] from, byte[] to, UpdateFunction fn, byte[] argument) {
        TreeImpl t = db.own(tree);
        byte[] name = storedName(fn);
        if (to == null || java.util.Arrays.compareUnsigned(from, to) < 0) {
          ops.add(new Op(t, MessageType.UPDATE_RANGE, from, RangeUpdates.encode(to, argument), name));
        }
      }
    });
    if (ops.isEmpty()) {
      gate.checkOpen();
      gate.checkNotReadOnly();
      return;
    }
    commit(ops, d, null);
  }

  /**
   * Applies {@code ops} atomically as one log record, after {@code validate} (a transaction's
   * conflict check, or null) ran in the {@link Sequencer}'s critical section, before anything is
   * logged: if it throws {@link ConflictException}, nothing is logged or applied and the database
   * goes on. Every change is noted for later validations ({@link Conflicts}).
   */
  void commit(List<Op> ops, Durability d, Runnable validate) {
    Objects.requireNonNull(d, "durability");
    byte[] record = d == Durability.NONE ? null : record(ops);
    ConflictException[] conflict = {null};
    long bytes = 0;
    for (Op op : ops) {
      bytes += dev.sapwood.Limits.batchOpSize(op.key().length, op.value().length, op.fn() == null ? 0 : op.fn().length);
    }
    // The check finds each op's tree (a dropped one is the caller's mistake: nothing is logged or
    // changed); a conflict is thrown outside the gate: it is found before anything is logged, and
    // fails nothing. Anything else the change throws fails the database (DatabaseGate).
    long lsn = bytes <= sharedBatchBytes
        ? gate.writeShared(() -> rootsInIdOrder(ops), roots -> {
          try {
            return applyLatched(record, roots, ops, validate);
          } catch (ConflictException e) {
            conflict[0] = e;
            return -1L;
          }
        })
        : gate.write(() -> rootsInIdOrder(ops), roots -> {
          try {
            return sequencer.sequenceExclusive(record, ops, validate);
          } catch (ConflictException e) {
            conflict[0] = e;
            return -1L;
          }
        });
    if (conflict[0] != null) {
      throw conflict[0];
    }
    afterWrite(d, lsn, true);
  }

  /** Latches {@code roots} (of {@code ops}' trees, in ascending id), sequences ops, lets them go. */
  private long applyLatched(byte[] record, BeTree[] roots, List<Op> ops, Runnable validate) {
    int latched = 0;
    long lsn;
    try {
      for (; latched < roots.length; latched++) {
        roots[latched].latchRoot();
      }
      lsn = sequencer.sequence(record, ops, validate);
    } catch (ConflictException e) {
      for (BeTree r : roots) { // validation failed before anything was logged or inserted
        r.releaseRoot();
      }
      throw e;
    } catch (RuntimeException | Error e) {
      if (latched > 0) {
        roots[0].abandonLatch(); // releases every latch this thread holds
      }
      throw e;
    }
    // Every root is let go before any is flushed: a flush re-latches its root, and holding another
    // root meanwhile could deadlock with a writer latching them in id order.
    boolean[] mustFlush = new boolean[roots.length];
    RuntimeException first = null;
    for (int i = 0; i < roots.length; i++) {
      try {
        mustFlush[i] = roots[i].releaseRoot();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
    for (int i = 0; i < roots.length; i++) {
      if (mustFlush[i]) {
        roots[i].flushAsWriter();
      }
    }
    return lsn;
  }

  /** The trees of {@code ops}, each once, in ascending id; throws if one was dropped. */
  private static BeTree[] rootsInIdOrder(List<Op> ops) {
    TreeImpl[] ts = new TreeImpl[ops.size()];
    int n = 0;
    for (Op op : ops) {
      TreeImpl t = op.tree();
      boolean seen = false;
      for (int i = 0; i < n && !seen; i++) {
        seen = ts[i] == t;
      }
      if (!seen) {
        ts[n++] = t;
      }
    }
    Arrays.sort(ts, 0, n, Comparator.comparingInt(TreeImpl::id));
    BeTree[] roots = new BeTree[n];
    for (int i = 0; i < n; i++) {
      roots[i] = ts[i].beTree();
    }
    return roots;
  }


  private static byte[] record(List<Op> ops) {
    LogRecords.BatchBuilder record = new LogRecords.BatchBuilder();
    for (Op op : ops) {
      record.add(op.type(), op.tree().id(), op.key(), op.value(), op.fn());
    }
    return record.build();
  }

  /** For tests only ({@link TestSeams#onExclusiveBatchStep}). */
  void onExclusiveBatchStep(Runnable step) {
    sequencer.onExclusiveStep(step);
  }

  /** Validates a transaction that wrote nothing ({@link Sequencer#validate}); logs nothing. */
  void validate(Runnable validate) {
    gate.read(() -> {
      sequencer.validate(validate);
      return null;
    });
  }

  /** The tree named {@code name}, created (and logged) if there is none. */
  TreeImpl tree(String name) {
    TreeImpl t = gate.read(() -> trees.get(name));
    if (t != null) {
      return t;
    }
    TreeImpl created = gate.write(() -> {
      TreeImpl existing = trees.get(name);
      if (existing == null) {
        catalog.checkIdLeft();
      }
      return existing;
    }, existing -> {
      if (existing != null) {
        return existing;
      }
      TreeImpl fresh = trees.create(name);
      append(LogRecords.createTree(fresh.id(), name));
      trees.register(fresh);
      return fresh;
    });
    afterWrite(metadataDurability(), -1, false);
    return created;
  }

  void dropTree(String name) {
    gate.write(() -> {
      TreeImpl t = trees.get(name);
      if (t == null) {
        throw new IllegalArgumentException("no tree named '" + name + "'");
      }
      return t;
    }, t -> {
      append(LogRecords.dropTree(t.id()));
      trees.drop(t);
      return null;
    });
    afterWrite(metadataDurability(), -1, false);
  }

  /** Makes everything logged so far durable. */
  void sync() {
    gate.checkWritable();
    afterWrite(Durability.SYNC, -1, true);
  }

  /** Syncs the log if anything written is not yet durable (the ASYNC interval). */
  void syncIfBehind() {
    if (!gate.isClosed() && !gate.writeFailed() && log.durableLsn() < log.nextLsn() - 1) {
      try {
        log.sync(log.nextLsn() - 1);
      } catch (RuntimeException e) {
        gate.fail(e);
        throw e;
      }
    }
  }

  /** The stored name of {@code fn}, which must be registered ({@link StoredNames}: shared, never changed). */
  byte[] storedName(UpdateFunction fn) {
    return storedNames.of(fn);
  }

  private long append(byte[] payload) {
    return log.append(payload, 0, payload.length);
  }

  /**
   * Creating and dropping a tree are always logged (later logged writes name the tree), with the
   * default durability, at least ASYNC.
   */
  private Durability metadataDurability() {
    return durability == Durability.NONE ? Durability.ASYNC : durability;
  }

  /**
   * After a change is applied: wait for its durability (outside the database lock). A SYNC wait
   * gives up on an interrupt with a {@link SyncInterruptedException}, which fails nothing, unless
   * {@code interruptible} is false (creating or dropping a tree: the caller needs it done).
   */
  private void afterWrite(Durability d, long lsn, boolean interruptible) {
    try {
      if (d == Durability.SYNC) {
        long upTo = lsn >= 0 ? lsn : log.nextLsn() - 1;
        if (interruptible) {
          log.syncInterruptibly(upTo);
        } else {
          log.sync(upTo);
        }
      } else if (d == Durability.ASYNC) {
        if (lsn >= 0) {
          log.write(lsn); // not the records other writers appended since: they write those
        } else {
          log.write();
        }
      }
    } catch (SyncInterruptedException e) {
      throw e;
    } catch (RuntimeException e) {
      gate.fail(e);
      throw e;
    }
  }
}
