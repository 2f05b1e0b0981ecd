package dev.sapwood.internal.engine;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.SyncInterruptedException;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.tree.Journal;
import dev.sapwood.internal.tree.MessageType;
import dev.sapwood.internal.tree.RangeUpdates;
import dev.sapwood.internal.wal.LogWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every change to an open database: single changes, batches, creating and dropping trees, and the
 * wait for each one's durability.
 *
 * <p>Invariants: for every key, the order of its changes in the log is the order in which the tree
 * applies them (their MSN order), so replaying the log rebuilds what was acknowledged. Two
 * protocols keep it, one per kind of change:
 * <ul>
 *   <li>a single change ({@link #change}) runs under the gate's shared lock and is logged by the
 *       tree's {@link Journal} callback, under the tree's root write latch, in the same critical
 *       section that gives it its MSN: changes to one tree log and apply in one order, and changes
 *       to different trees share no key;</li>
 *   <li>a batch ({@link #write}), and a tree's creation and dropping, run under the gate's
 *       exclusive lock, logged as one record first and applied after: no single change runs
 *       meanwhile, so nothing can take an MSN between the batch's record and its messages.</li>
 * </ul>
 * A change is in the log (if logged at all) before it changes a node. A change whose logging or
 * applying fails fails the database (the gate); waiting for durability happens outside the lock.
 */
final class WritePath {
  private static final byte[] EMPTY = new byte[0];

  /** One change of a batch, resolved to its tree and its stored form. */
  record Op(TreeImpl tree, byte type, byte[] key, byte[] value, byte[] fn) {}

  private final DatabaseImpl db;
  private final DatabaseGate gate;
  private final TreeRegistry trees;
  private final Catalog catalog;
  private final FunctionRegistry functions;
  private final LogWriter log;
  private final Durability durability;

  WritePath(DatabaseImpl db, DatabaseGate gate, TreeRegistry trees, Catalog catalog,
      FunctionRegistry functions, LogWriter log, Options options) {
    this.db = db;
    this.gate = gate;
    this.trees = trees;
    this.catalog = catalog;
    this.functions = functions;
    this.log = log;
    this.durability = options.durability();
  }

  /** A single change through tree {@code t}, logged under its root latch. */
  void change(TreeImpl t, byte type, byte[] key, byte[] value, byte[] fn) {
    Durability d = durability;
    long[] lsn = {-1};
    Journal journal = d == Durability.NONE ? Journal.NONE : (ty, k, v, f) ->
        lsn[0] = append(LogRecords.single(ty, t.id(), k, v, f));
    gate.writeShared(() -> {
      t.beTree().apply(type, key, value, fn, journal);
      return null;
    });
    afterWrite(d, lsn[0], true);
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
      return;
    }
    byte[] record = d == Durability.NONE ? null : record(ops);
    long[] lsn = {-1};
    gate.write(() -> {
      for (Op op : ops) {
        op.tree().beTree(); // a dropped tree fails the batch before anything is logged
      }
      if (record != null) {
        lsn[0] = append(record);
      }
      for (Op op : ops) {
        op.tree().beTree().apply(op.type(), op.key(), op.value(), op.fn(), Journal.NONE);
      }
      return null;
    });
    afterWrite(d, lsn[0], true);
  }

  private static byte[] record(List<Op> ops) {
    LogRecords.BatchBuilder record = new LogRecords.BatchBuilder();
    for (Op op : ops) {
      record.add(op.type(), op.tree().id(), op.key(), op.value(), op.fn());
    }
    return record.build();
  }

  /** The tree named {@code name}, created (and logged) if there is none. */
  TreeImpl tree(String name) {
    TreeImpl t = gate.read(() -> trees.get(name));
    if (t != null) {
      return t;
    }
    TreeImpl created = gate.write(() -> {
      TreeImpl existing = trees.get(name);
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

  /** The stored name of {@code fn}, which must be registered; remembered in the catalog. */
  byte[] storedName(UpdateFunction fn) {
    String name = fn.name();
    if (!functions.isRegistered(name)) {
      throw new IllegalArgumentException("update function '" + name + "' is not registered (Options.register)");
    }
    if (!FunctionRegistry.isBuiltIn(name)) {
      catalog.functions.add(name);
    }
    return name.getBytes(StandardCharsets.UTF_8);
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
        log.write();
      }
    } catch (SyncInterruptedException e) {
      throw e;
    } catch (RuntimeException e) {
      gate.fail(e);
      throw e;
    }
  }
}
