package dev.sapwood.internal.engine;

import dev.sapwood.Codec;
import dev.sapwood.Cursor;
import dev.sapwood.KeyRange;
import dev.sapwood.Limits;
import dev.sapwood.Scan;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.internal.tree.BeTree;
import dev.sapwood.internal.tree.MessageType;
import dev.sapwood.internal.tree.RangeUpdates;
import dev.sapwood.internal.view.MapView;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentNavigableMap;

/** A named tree of an open database: argument checks, locking, then the B^ε-tree. Thread-safe. */
final class TreeImpl implements Tree {
  private final DatabaseImpl db;
  private final String name;
  private final int id;
  private final BeTree tree;
  private volatile boolean dropped;
  /** Whether a bulk load of this tree is open ({@link BulkLoad}). */
  private final java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean();
  private static final byte[] EMPTY = new byte[0];

  TreeImpl(DatabaseImpl db, String name, int id, BeTree tree) {
    this.db = db;
    this.name = name;
    this.id = id;
    this.tree = tree;
  }

  /** The tree's id in the catalog and the log. */
  int id() {
    return id;
  }

  DatabaseImpl database() {
    return db;
  }

  BeTree beTree() {
    checkNotDropped();
    return tree;
  }

  boolean isDropped() {
    return dropped;
  }

  void markDropped() {
    dropped = true;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte[] get(byte[] key) {
    Limits.checkKey(key);
    return db.read(() -> beTree().get(key));
  }

  @Override
  public void put(byte[] key, byte[] value) {
    Limits.checkKey(key);
    Limits.checkValue(value);
    db.change(this, MessageType.PUT, key, value, null);
  }

  @Override
  public void delete(byte[] key) {
    Limits.checkKey(key);
    db.change(this, MessageType.DELETE, key, EMPTY, null);
  }

  @Override
  public void deleteRange(byte[] fromInclusive, byte[] toExclusive) {
    Limits.checkKey(fromInclusive);
    Limits.checkKey(toExclusive);
    if (Arrays.compareUnsigned(fromInclusive, toExclusive) >= 0) {
      db.read(this::beTree); // nothing to remove, but a closed database or dropped tree still fails
      db.checkWritable(); // and so does a read-only one
      return;
    }
    db.change(this, MessageType.DELETE_RANGE, fromInclusive, toExclusive, null);
  }

  @Override
  public void update(byte[] key, UpdateFunction fn, byte[] argument) {
    Limits.checkKey(key);
    Limits.checkValue(argument);
    Objects.requireNonNull(fn, "update function");
    byte[] fnName = db.functionName(fn);
    fn.checkArgument(argument);
    db.change(this, MessageType.UPDATE, key, argument, fnName);
  }

  @Override
  public void updateRange(byte[] fromInclusive, byte[] toExclusive, UpdateFunction fn, byte[] argument) {
    Limits.checkKey(fromInclusive);
    Limits.checkKey(toExclusive);
    rangeUpdate(fromInclusive, toExclusive, fn, argument);
  }

  @Override
  public void updateAll(UpdateFunction fn, byte[] argument) {
    rangeUpdate(EMPTY, null, fn, argument);
  }

  /** One UPDATE_RANGE message for [from, to), to null meaning no end. */
  private void rangeUpdate(byte[] from, byte[] to, UpdateFunction fn, byte[] argument) {
    Limits.checkValue(argument);
    Objects.requireNonNull(fn, "update function");
    byte[] fnName = db.functionName(fn);
    fn.checkArgument(argument);
    if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
      db.read(this::beTree); // nothing to update, but a closed database or dropped tree still fails
      return;
    }
    db.change(this, MessageType.UPDATE_RANGE, from, RangeUpdates.encode(to, argument), fnName);
  }

  @Override
  public void optimize() {
    db.optimize(this);
  }

  @Override
  public long approximateSize() {
    return db.read(() -> Math.max(0, beTree().approximateRows()));
  }

  @Override
  public Cursor cursor() {
    db.read(this::beTree);
    return new CursorImpl(db, this);
  }

  @Override
  public Cursor cursor(KeyRange range) {
    checkRange(range);
    db.read(this::beTree);
    CursorImpl c = new CursorImpl(db, this, range.from(), range.to());
    return range.isReversed() ? new ReversedCursor(c) : c;
  }

  @Override
  public Scan scan(KeyRange range) {
    checkRange(range);
    db.read(this::beTree);
    return new ScanImpl(name, range, () -> cursor(range));
  }

  @Override
  public <K, V> ConcurrentNavigableMap<K, V> asMap(Codec<K> keys, Codec<V> values) {
    return MapView.of(db, this, keys, values);
  }

  @Override
  public dev.sapwood.BulkLoader bulkLoader(double leafFill) {
    if (!(leafFill > 0 && leafFill <= 1)) {
      throw new IllegalArgumentException("leaf fill " + leafFill + " is not in (0, 1]");
    }
    return db.bulkLoad(this, leafFill);
  }

  /** Claims this tree's one bulk-load slot; false if a load holds it. */
  boolean beginLoad() {
    return loading.compareAndSet(false, true);
  }

  /** Frees the slot {@link #beginLoad} claimed. */
  void endLoad() {
    loading.set(false);
  }

  /** A null range is a caller mistake. */
  static void checkRange(KeyRange range) {
    if (range == null) {
      throw new IllegalArgumentException("range is null");
    }
  }

  private void checkNotDropped() {
    if (dropped) {
      throw new IllegalStateException("tree '" + name + "' was dropped");
    }
  }

  @Override
  public String toString() {
    return "Tree[" + name + "]";
  }
}
