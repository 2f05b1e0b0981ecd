package dev.sapwood.internal.tree;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which tree each node belongs to, told to the node before the cache publishes it: its tree's
 * versions store ({@link Node#versions}, where a flush into a leaf keeps the old values live
 * snapshots need) and its row count ({@link Node#rows}). Both are in memory only and keyed by the
 * tree's root block, which never changes for the tree's life.
 *
 * <p>Who tells a node (every way one enters the cache): the loader ({@link NodeBackend#load}, from
 * the file or a parked image) from the node it was reached through, its parent, or, for a root
 * (reached through no node), from the tree's registration here; a node made by a tree (a split's
 * pieces, a root's moved contents, a new tree's first nodes) from a node of the same tree before it
 * is inserted ({@link #adoptFrom}).
 *
 * <p>Invariants: every node in the cache's map has both set, to its tree's, from its publication
 * on; they never change (a block belongs to one tree for life: block numbers are never reused). A
 * tree registers before any of its nodes is made or loaded ({@link #register}) and unregisters
 * after the last ({@link #unregister}); a node loaded with no parent that is no registered tree's
 * root breaks this, and its load fails ({@link IllegalStateException}) before it is published.
 * Thread-safe.
 */
final class NodeOwners {
  private final SnapshotRegistry snapshots;
  private final ConcurrentHashMap<Long, Versions> versionsByRoot = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, LongAdder> rowsByRoot = new ConcurrentHashMap<>();

  NodeOwners(SnapshotRegistry snapshots) {
    this.snapshots = snapshots;
  }

  /**
   * The versions store of the tree whose root is {@code root}, made (and registered with the
   * snapshots) the first time: when the tree is created, or opened.
   */
  Versions register(long root) {
    return versionsByRoot.computeIfAbsent(root, r -> {
      Versions v = new Versions(snapshots);
      snapshots.register(v);
      return v;
    });
  }

  /** Forgets a destroyed tree, once its last node is gone. */
  void unregister(long root) {
    Versions v = versionsByRoot.remove(root);
    if (v != null) {
      snapshots.unregister(v);
    }
    rowsByRoot.remove(root);
  }

  /**
   * The logical row count of the tree whose root is {@code root}: entries in its leaves, kept as
   * flushes apply messages to them (TokuFT's logical rows). Buffered messages are not in it.
   */
  LongAdder rows(long root) {
    return rowsByRoot.computeIfAbsent(root, k -> new LongAdder());
  }

  /**
   * Tells {@code node}, just loaded and not yet published, its tree: that of {@code via}, the node
   * it was reached through, or, if null, the tree whose root it is.
   *
   * @throws IllegalStateException if {@code via} is null and {@code node} is no registered tree's
   *     root (a load from a path that knows no tree: see the invariants)
   */
  void adopt(Node node, Node via) {
    if (via != null) {
      adoptFrom(node, via);
      return;
    }
    Versions v = versionsByRoot.get(node.key());
    if (v == null) {
      throw new IllegalStateException("node " + node.key() + " was loaded through no parent and is no tree's root");
    }
    node.versions = v;
    node.rows = rows(node.key());
  }

  /** Tells {@code node} (new, or just loaded through {@code sameTree}) the tree of {@code sameTree}. */
  static void adoptFrom(Node node, Node sameTree) {
    assert sameTree.versions != null && sameTree.rows != null : "node " + sameTree.key() + " knows no tree";
    node.versions = sameTree.versions;
    node.rows = sameTree.rows;
  }

  /** Expensive check (assertions): {@code root} carries the tree registered under its block. */
  boolean ownsRoot(Node root) {
    return root.versions != null && root.versions == versionsByRoot.get(root.key())
        && root.rows == rowsByRoot.get(root.key());
  }
}
