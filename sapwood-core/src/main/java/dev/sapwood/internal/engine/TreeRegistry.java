package dev.sapwood.internal.engine;

import dev.sapwood.internal.tree.BeTree;
import dev.sapwood.internal.tree.TreeContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open trees of a database, by name and by id, kept in step with the catalog's entries.
 *
 * <p>Thread-safe for lookups; {@link #create}, {@link #createReplayed} and {@link #drop} run under
 * the gate's exclusive lock (or during recovery, before anyone else sees the database).
 *
 * <p>Invariants: a tree is in both maps or in neither, and in the catalog whenever it is in the
 * maps; a dropped tree is marked so before it leaves the maps, so a holder of its handle fails
 * instead of writing to destroyed nodes.
 */
final class TreeRegistry {
  private final DatabaseImpl db;
  private final TreeContext ctx;
  private final Catalog catalog;
  private final Map<String, TreeImpl> byName = new ConcurrentHashMap<>();
  private final Map<Integer, TreeImpl> byId = new ConcurrentHashMap<>();

  /** The registry of the trees {@code catalog} names. */
  TreeRegistry(DatabaseImpl db, TreeContext ctx, Catalog catalog) {
    this.db = db;
    this.ctx = ctx;
    this.catalog = catalog;
    for (Map.Entry<String, Catalog.Entry> e : catalog.trees.entrySet()) {
      register(new TreeImpl(db, e.getKey(), e.getValue().id(), new BeTree(ctx, e.getValue().root())));
      ctx.rows(e.getValue().root()).add(catalog.rows.getOrDefault(e.getKey(), 0L));
    }
  }

  TreeImpl get(String name) {
    return byName.get(name);
  }

  TreeImpl byId(int id) {
    return byId.get(id);
  }

  boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** The trees' names, sorted. */
  List<String> names() {
    return new ArrayList<>(new TreeMap<>(byName).keySet());
  }

  Collection<TreeImpl> all() {
    return byName.values();
  }

  int size() {
    return byName.size();
  }

  /**
   * Creates an empty tree named {@code name} with the catalog's next id; the caller logs the
   * creation and then {@link #register}s it.
   */
  TreeImpl create(String name) {
    long root = BeTree.create(ctx);
    int id = catalog.add(name, root);
    return new TreeImpl(db, name, id, new BeTree(ctx, root));
  }

  /** Creates and registers the tree a replayed log record names, with the id it was given. */
  void createReplayed(String name, int id) {
    long root = BeTree.create(ctx);
    catalog.trees.put(name, new Catalog.Entry(id, root));
    catalog.nextTreeId = id + 1;
    register(new TreeImpl(db, name, id, new BeTree(ctx, root)));
  }

  void register(TreeImpl t) {
    byName.put(t.name(), t);
    byId.put(t.id(), t);
  }

  /** Marks {@code t} dropped, forgets it, and frees its nodes. */
  void drop(TreeImpl t) {
    BeTree doomed = t.beTree();
    t.markDropped();
    byName.remove(t.name());
    byId.remove(t.id());
    catalog.trees.remove(t.name());
    catalog.rows.remove(t.name());
    catalog.optimizing.remove(t.name());
    doomed.destroy();
  }
}
