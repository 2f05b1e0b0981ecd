package dev.sapwood.internal.engine;

import dev.sapwood.Cursor;
import dev.sapwood.KeyRange;
import dev.sapwood.Scan;
import dev.sapwood.Limits;
import dev.sapwood.Snapshot;
import dev.sapwood.Tree;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A snapshot: an MSN registered with the database's {@link
 * dev.sapwood.internal.tree.SnapshotRegistry} until closed. Reads apply only messages at or below
 * it, and the versions flushes kept for it. Thread-safe.
 *
 * <p>Invariants: registered exactly once and unregistered exactly once (close is idempotent); its
 * MSN is one the database had made visible when it was taken (a batch or commit is wholly at or
 * below it, or wholly above).
 */
final class SnapshotImpl implements Snapshot {
  private final DatabaseImpl db;
  private final long msn;
  private final AtomicBoolean closed = new AtomicBoolean();

  SnapshotImpl(DatabaseImpl db, long msn) {
    this.db = db;
    this.msn = msn;
  }

  long msn() {
    return msn;
  }

  @Override
  public byte[] get(Tree tree, byte[] key) {
    Limits.checkKey(key);
    TreeImpl t = db.own(tree);
    checkOpen();
    return db.read(() -> t.beTree().get(key, msn));
  }

  @Override
  public Cursor cursor(Tree tree) {
    TreeImpl t = db.own(tree);
    checkOpen();
    db.read(t::beTree);
    return new CursorImpl(db, t, this);
  }

  @Override
  public Cursor cursor(Tree tree, KeyRange range) {
    TreeImpl.checkRange(range);
    TreeImpl t = db.own(tree);
    checkOpen();
    db.read(t::beTree);
    CursorImpl c = new CursorImpl(db, t, range.from(), range.to(), this);
    return range.isReversed() ? new ReversedCursor(c) : c;
  }

  @Override
  public Scan scan(Tree tree, KeyRange range) {
    TreeImpl.checkRange(range);
    TreeImpl t = db.own(tree);
    checkOpen();
    return new ScanImpl(t.name(), range, () -> cursor(t, range));
  }

  void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("snapshot is closed");
    }
    db.checkOpen();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      db.treeContext().snapshots.close(msn);
    }
  }

  @Override
  public String toString() {
    return "Snapshot[msn=" + msn + (closed.get() ? ", closed]" : "]");
  }
}
