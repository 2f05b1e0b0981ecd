package dev.sapwood.internal.engine;

import dev.sapwood.ConflictException;
import dev.sapwood.Cursor;
import dev.sapwood.KeyRange;
import dev.sapwood.Scan;
import dev.sapwood.Durability;
import dev.sapwood.Isolation;
import dev.sapwood.Limits;
import dev.sapwood.Transaction;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.internal.tree.MessageType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A transaction: a snapshot, a {@link WriteSet}, and under SERIALIZABLE the keys it read and the
 * ranges it scanned. Commit validates against {@link Conflicts} inside the write path's critical
 * section, before anything is logged, then applies the write set as one batch. Not thread-safe.
 *
 * <p>Invariants: while active it holds one registered snapshot (and, under SERIALIZABLE, one
 * count in {@link Conflicts}); finishing (commit, rollback, failed commit, close) releases both
 * exactly once.
 */
final class TransactionImpl implements Transaction {
  private static final byte[] EMPTY = new byte[0];

  private record Read(int tree, byte[] key) {}

  private record Range(int tree, byte[] lo, byte[] hi) {}

  private final DatabaseImpl db;
  private final Transactor transactor;
  private final Isolation isolation;
  private final SnapshotImpl snapshot;
  private final WriteSet writes;
  private final TxnStats stats;
  private final List<Read> reads;
  private final List<Range> ranges;
  private boolean done;

  TransactionImpl(DatabaseImpl db, Transactor transactor, Isolation isolation, SnapshotImpl snapshot, long maxBytes,
      TxnStats stats) {
    this.db = db;
    this.transactor = transactor;
    this.isolation = isolation;
    this.snapshot = snapshot;
    this.writes = new WriteSet(maxBytes);
    this.stats = stats;
    boolean serializable = isolation == Isolation.SERIALIZABLE;
    this.reads = serializable ? new ArrayList<>() : null;
    this.ranges = serializable ? new ArrayList<>() : null;
  }

  @Override
  public Isolation isolation() {
    return isolation;
  }

  @Override
  public byte[] get(Tree tree, byte[] key) {
    Limits.checkKey(key);
    TreeImpl t = db.own(tree);
    checkActive();
    byte[] base = snapshot.get(t, key);
    if (reads != null) {
      reads.add(new Read(t.id(), key.clone()));
    }
    byte[] v = writes.apply(t, key, base);
    return v == null ? null : v == base ? v : v.clone();
  }

  @Override
  public Cursor cursor(Tree tree) {
    TreeImpl t = db.own(tree);
    checkActive();
    return new TxCursor(this, t, snapshot.cursor(t), writes);
  }

  @Override
  public Cursor cursor(Tree tree, KeyRange range) {
    TreeImpl.checkRange(range);
    TreeImpl t = db.own(tree);
    checkActive();
    // The snapshot's side is bounded by the range itself; the write set's side by the clip.
    Cursor base = new TxCursor(this, t, snapshot.cursor(t, range.isReversed() ? range.reversed() : range), writes);
    RangeCursor c = new RangeCursor(base, range.from(), range.to());
    return range.isReversed() ? new ReversedCursor(c) : c;
  }

  @Override
  public Scan scan(Tree tree, KeyRange range) {
    TreeImpl.checkRange(range);
    TreeImpl t = db.own(tree);
    checkActive();
    return new ScanImpl(t.name(), range, () -> cursor(t, range));
  }

  /** A cursor scanned [lo, hi) of {@code t} (null: unbounded); kept under SERIALIZABLE. */
  void scanned(TreeImpl t, byte[] lo, byte[] hi) {
    if (ranges != null) {
      ranges.add(new Range(t.id(), lo, hi));
    }
  }

  @Override
  public void put(Tree tree, byte[] key, byte[] value) {
    Limits.checkKey(key);
    Limits.checkValue(value);
    writes.add(writable(tree), MessageType.PUT, key.clone(), value.clone());
  }

  @Override
  public void delete(Tree tree, byte[] key) {
    Limits.checkKey(key);
    writes.add(writable(tree), MessageType.DELETE, key.clone(), EMPTY);
  }

  @Override
  public void deleteRange(Tree tree, byte[] fromInclusive, byte[] toExclusive) {
    Limits.checkKey(fromInclusive);
    Limits.checkKey(toExclusive);
    TreeImpl t = writable(tree);
    if (Arrays.compareUnsigned(fromInclusive, toExclusive) < 0) {
      writes.addDeleteRange(t, fromInclusive.clone(), toExclusive.clone());
    }
  }

  @Override
  public void update(Tree tree, byte[] key, UpdateFunction fn, byte[] argument) {
    Limits.checkKey(key);
    Limits.checkValue(argument);
    Objects.requireNonNull(fn, "update function");
    byte[] fnName = db.functionName(fn);
    fn.checkArgument(argument);
    writes.addUpdate(writable(tree), key.clone(), fnName, fn, argument.clone());
  }

  @Override
  public void updateRange(Tree tree, byte[] fromInclusive, byte[] toExclusive, UpdateFunction fn, byte[] argument) {
    Limits.checkKey(fromInclusive);
    Limits.checkKey(toExclusive);
    rangeUpdate(tree, fromInclusive, toExclusive, fn, argument);
  }

  @Override
  public void updateAll(Tree tree, UpdateFunction fn, byte[] argument) {
    rangeUpdate(tree, EMPTY, null, fn, argument);
  }

  /** A range update of [from, to), to null meaning no end; an empty range adds nothing. */
  private void rangeUpdate(Tree tree, byte[] from, byte[] to, UpdateFunction fn, byte[] argument) {
    Limits.checkValue(argument);
    Objects.requireNonNull(fn, "update function");
    byte[] fnName = db.functionName(fn);
    fn.checkArgument(argument);
    TreeImpl t = writable(tree);
    if (to == null || Arrays.compareUnsigned(from, to) < 0) {
      writes.addUpdateRange(t, from.clone(), to == null ? null : to.clone(), fnName, fn, argument.clone());
    }
  }

  /** {@code tree}, once known to be this database's and the transaction active. */
  private TreeImpl writable(Tree tree) {
    TreeImpl t = db.own(tree);
    checkActive();
    return t;
  }

  @Override
  public void commit() {
    commit(transactor.defaultDurability());
  }

  @Override
  public void commit(Durability durability) {
    Objects.requireNonNull(durability, "durability");
    checkActive();
    boolean committed = false;
    try {
      if (writes.isEmpty()) {
        if (reads != null) {
          transactor.validateAlone(this::validate);
        }
      } else {
        List<WritePath.Op> ops = new ArrayList<>(writes.ops().size());
        for (WriteSet.Op op : writes.ops()) {
          ops.add(new WritePath.Op(op.tree(), op.type(), op.key(), op.value(), op.fnName()));
        }
        transactor.commit(ops, durability, this::validate);
      }
      committed = true;
    } catch (ConflictException e) {
      stats.conflict(e.kind());
      throw e;
    } finally {
      finish(committed);
    }
  }

  /** Runs in the commit's critical section: throws if a change after the snapshot conflicts. */
  private void validate() {
    Conflicts c = transactor.conflicts();
    long s = snapshot.msn();
    for (WriteSet.Op op : writes.ops()) {
      // Point writes only: update, range delete and range update are blind (applied at commit to
      // whatever is there then, so no change is lost). A range write by anyone covers its keys.
      if ((op.type() == MessageType.PUT || op.type() == MessageType.DELETE) && c.changedAfter(op.tree().id(), op.key(), s)) {
        throw new ConflictException(ConflictException.Kind.WRITE_WRITE, "key " + Arrays.toString(op.key())
            + " of tree '" + op.tree().name() + "' was changed after this transaction's snapshot");
      }
    }
    if (reads == null) {
      return;
    }
    for (Read r : reads) {
      if (c.changedAfter(r.tree, r.key, s)) {
        throw new ConflictException(ConflictException.Kind.READ_WRITE, "key " + Arrays.toString(r.key)
            + " read by this SERIALIZABLE transaction was changed after its snapshot");
      }
    }
    for (Range r : ranges) {
      if (c.rangeChanged(r.tree, r.lo, r.hi, s)) {
        throw new ConflictException(ConflictException.Kind.RANGE,
            "a range scanned by this SERIALIZABLE transaction was changed after its snapshot");
      }
    }
  }

  @Override
  public void rollback() {
    checkActive();
    finish(false);
  }

  @Override
  public void close() {
    if (!done) {
      finish(false);
    }
  }

  private void finish(boolean committed) {
    if (done) {
      return;
    }
    done = true;
    snapshot.close();
    if (isolation == Isolation.SERIALIZABLE) {
      transactor.conflicts().serializableEnds(snapshot.msn());
    }
    transactor.conflicts().transactionEnds(); // last: counted out after SERIALIZABLE (see Conflicts)
    stats.finished(committed);
  }

  boolean isDone() {
    return done;
  }

  void checkActive() {
    if (done) {
      throw new IllegalStateException("transaction is finished (committed or rolled back)");
    }
    db.checkOpen();
  }

  @Override
  public String toString() {
    return "Transaction[" + isolation + ", snapshot=" + snapshot.msn() + (done ? ", finished]" : "]");
  }
}
