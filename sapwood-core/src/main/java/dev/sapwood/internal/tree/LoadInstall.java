package dev.sapwood.internal.tree;

import java.util.concurrent.atomic.LongAdder;

/**
 * Puts a bulk load ({@link BulkBuilder}) under one {@link BeTree}'s root: checks the tree is empty
 * as a load needs it, then maps the load's staged blocks, frees the empty leaf and makes the root
 * the top of the built tree.
 *
 * <p>Invariants: an install changes nothing unless the tree is empty and no snapshot is open; after
 * it the root is internal with one empty buffer per built child, and the row count is the load's.
 *
 * <p>Locking: {@link #isEmpty} read-latches the root and its leaf; {@link #install} runs with
 * every other reader and writer excluded by the caller. Thread-safe under those terms.
 */
final class LoadInstall {
  private final TreeContext ctx;
  private final long root;
  /** The tree's old values kept for snapshots: a tree that keeps any is not empty. */
  private final Versions versions;

  LoadInstall(TreeContext ctx, long root, Versions versions) {
    this.ctx = ctx;
    this.root = root;
    this.versions = versions;
  }

  /**
   * Whether the tree is empty as a bulk load needs it: a root of height 1 with an empty buffer over
   * one empty leaf, and no old values kept for snapshots. (A tree whose keys were all deleted is
   * empty once its buffers are drained and the tree has collapsed, e.g. after optimize.)
   */
  boolean isEmpty() {
    return ctx.guarded(() -> {
      Node r = ctx.pinRootRead(root, ctx.cache.pins());
      try {
        if (r.height != 1 || r.n != 1 || !ctx.partitions.buffer(r, 0).isEmpty()) {
          return false;
        }
        Node leaf = ctx.pinChildRead(r, 0, ctx.cache.pins());
        try {
          return leaf.n == 1 && ctx.partitions.basement(leaf, 0).count() == 0 && versions.size() == 0
              && (leaf.deltaBlock == 0 || ctx.deltas.isEmpty(leaf));
        } finally {
          ctx.cache.unpinRead(leaf);
        }
      } finally {
        ctx.cache.unpinRead(r);
      }
    });
  }

  /**
   * Installs {@code built} under the root: maps its staged blocks, frees the empty leaf, and makes
   * the root the top of the built tree; the row count becomes the load's. Readers see nothing of
   * the load before this and all of it after.
   *
   * <p>REQUIRES: the caller excludes every other reader and writer of the database (it holds the
   * database's exclusive lock), so no snapshot opens and no message enters meanwhile, and it found
   * the tree {@link #isEmpty() empty} and no snapshot open under that lock (the engine refuses the
   * install then, as the caller's mistake). Checked again here, always: an {@link
   * IllegalStateException} before anything is changed means that requirement was broken.
   */
  void install(BulkBuilder.Built built) {
    ctx.guarded(() -> {
      Node r = ctx.pinRootWrite(root);
      ctx.partitions.prepareChange(r);
      if (r.height != 1 || r.n != 1 || !r.buffers[0].isEmpty()) {
        throw new IllegalStateException("the tree is not empty");
      }
      Node leaf = ctx.pinChildWrite(r, 0);
      ctx.partitions.prepareChange(leaf); // a delta's messages count too
      if (leaf.n != 1 || leaf.basements[0].count() != 0 || versions.size() != 0) {
        throw new IllegalStateException("the tree is not empty");
      }
      if (ctx.snapshots.openCount() > 0) {
        throw new IllegalStateException(ctx.snapshots.openCount() + " snapshots or transactions are open;"
            + " a bulk load installs only when none is (they would see it)");
      }
      built.staged.install();
      ctx.flusher.reshaper().free(leaf);
      MessageBuffer[] buffers = new MessageBuffer[built.children.length];
      for (int i = 0; i < buffers.length; i++) {
        buffers[i] = new MessageBuffer();
      }
      r.setInternal(built.height, built.pivots, built.children, buffers);
      r.maxMsn = Math.max(r.maxMsn, built.msn);
      r.markDirty();
      LongAdder rows = ctx.rows(root);
      rows.reset();
      rows.add(built.entries);
      ctx.cache.unpinWrite(r);
      return null;
    });
  }
}
