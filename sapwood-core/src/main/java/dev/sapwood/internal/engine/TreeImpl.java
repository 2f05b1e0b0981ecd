package dev.sapwood.internal.engine;

import dev.sapwood.Cursor;
import dev.sapwood.Limits;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import dev.sapwood.internal.tree.BeTree;
import java.util.Objects;

/** A named tree of an open database: argument checks, locking, then the B^ε-tree. Thread-safe. */
final class TreeImpl implements Tree {
  private final DatabaseImpl db;
  private final String name;
  private final BeTree tree;
  private volatile boolean dropped;

  TreeImpl(DatabaseImpl db, String name, BeTree tree) {
    this.db = db;
    this.name = name;
    this.tree = tree;
  }

  DatabaseImpl database() {
    return db;
  }

  BeTree beTree() {
    checkNotDropped();
    return tree;
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
    db.writeShared(() -> {
      beTree().put(key, value);
      return null;
    });
  }

  @Override
  public void delete(byte[] key) {
    Limits.checkKey(key);
    db.writeShared(() -> {
      beTree().delete(key);
      return null;
    });
  }

  @Override
  public void deleteRange(byte[] fromInclusive, byte[] toExclusive) {
    Limits.checkKey(fromInclusive);
    Limits.checkKey(toExclusive);
    if (java.util.Arrays.compareUnsigned(fromInclusive, toExclusive) >= 0) {
      db.read(() -> beTree());
      return;
    }
    db.writeShared(() -> {
      beTree().deleteRange(fromInclusive, toExclusive);
      return null;
    });
  }

  @Override
  public void update(byte[] key, UpdateFunction fn, byte[] argument) {
    Limits.checkKey(key);
    Limits.checkValue(argument);
    Objects.requireNonNull(fn, "update function");
    byte[] fnName = db.functionName(fn);
    fn.checkArgument(argument);
    db.writeShared(() -> {
      beTree().update(key, fnName, argument);
      return null;
    });
  }

  @Override
  public Cursor cursor() {
    db.read(this::beTree);
    return new CursorImpl(db, this);
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
