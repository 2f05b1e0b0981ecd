package dev.sapwood.internal.engine;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.tree.BeTree;
import dev.sapwood.internal.tree.Journal;
import java.nio.charset.StandardCharsets;

/** Applies one logged record again at open; names the LSN in any error. */
final class LogReplayer implements LogRecords.Visitor {
  private final DatabaseImpl db;
  private final long lsn;

  LogReplayer(DatabaseImpl db, long lsn) {
    this.db = db;
    this.lsn = lsn;
  }

  @Override
  public void op(byte type, int treeId, byte[] key, byte[] value, byte[] fn) {
    if (fn != null) {
      String name = new String(fn, StandardCharsets.UTF_8);
      db.functions().resolve(name); // fails the open now if the function is not registered
      if (!DatabaseImpl.isBuiltIn(name)) {
        db.catalog().functions.add(name);
      }
    }
    tree(treeId).beTree().apply(type, key, value, fn, Journal.NONE);
  }

  @Override
  public void createTree(int treeId, String name) {
    if (db.hasTree(name) || treeId < db.catalog().nextTreeId) {
      throw corrupt("creates tree '" + name + "' (id " + treeId + ") that exists");
    }
    long root = BeTree.create(db.treeContext());
    db.catalog().trees.put(name, new Catalog.Entry(treeId, root));
    db.catalog().nextTreeId = treeId + 1;
    db.register(new TreeImpl(db, name, treeId, new BeTree(db.treeContext(), root)));
  }

  @Override
  public void dropTree(int treeId) {
    db.drop(tree(treeId));
  }

  private TreeImpl tree(int id) {
    TreeImpl t = db.treeById(id);
    if (t == null) {
      throw corrupt("names unknown tree " + id);
    }
    return t;
  }

  private CorruptionException corrupt(String what) {
    return new CorruptionException("write-ahead log in " + db.dir(), -1, "record LSN " + lsn + " " + what);
  }
}
