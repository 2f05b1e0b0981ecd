package dev.sapwood.internal.engine;

import dev.sapwood.CorruptionException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.tree.Background;
import dev.sapwood.internal.tree.TreeContext;
import dev.sapwood.internal.wal.LogWriter;

/**
 * Closing an open database: stop the background threads, take a last checkpoint (unless a failure
 * forbids one: then say what is and is not durable), then close the log, the block file and the
 * directory lock, keeping the first failure and attaching the rest as suppressed.
 *
 * <p>Locking: under the {@link Checkpointer}'s monitor, then the gate's exclusive side while the
 * files close, so no operation is inside the gate meanwhile. Idempotent: a second close does
 * nothing.
 */
final class Closer {
  private final DatabaseImpl db;
  private final boolean readOnly;
  private final TreeContext ctx;
  private final BackgroundTasks background;
  private final Checkpointer checkpointer;
  private final DatabaseGate gate;
  private final Maintenance maintenance;
  private final LogWriter log;
  private final BlockFile file;
  private final DirectoryLock lock;

  Closer(DatabaseImpl db, boolean readOnly, TreeContext ctx, BackgroundTasks background, Checkpointer checkpointer,
      DatabaseGate gate, Maintenance maintenance, LogWriter log, BlockFile file, DirectoryLock lock) {
    this.db = db;
    this.readOnly = readOnly;
    this.ctx = ctx;
    this.background = background;
    this.checkpointer = checkpointer;
    this.gate = gate;
    this.maintenance = maintenance;
    this.log = log;
    this.file = file;
    this.lock = lock;
  }

  /** Closes the database ({@link DatabaseImpl#close}); idempotent. */
  void close() {
    if (gate.isClosed()) {
      return;
    }
    if (readOnly) {
      closeReadOnly();
      return;
    }
    ctx.setBackground(Background.INLINE);
    background.stop(); // before taking the checkpointer: its thread may be waiting for it
    synchronized (checkpointer) {
      if (gate.isClosed()) {
        return;
      }
      RuntimeException first = null;
      RuntimeException failure = gate.failure();
      if (failure == null) {
        try {
          maintenance.checkpoint();
        } catch (RuntimeException e) {
          first = e;
        }
      } else if (failure instanceof CorruptionException) {
        // The log is synced at close: the next open replays it onto the last checkpoint.
        first = new CorruptionException(file.name(), -1, "closed without a checkpoint after a read"
            + " found damage; acknowledged writes are in the log: " + failure.getMessage(), failure);
      } else {
        // Nothing more can be made durable; say so, with the failure that stopped the writes.
        first = new StorageException("closed after a failure; writes since the last durable point are lost: "
            + failure.getMessage(), failure);
      }
      RuntimeException[] failed = {first};
      gate.closeWith(() -> failed[0] = releaseAll(failed[0]));
      if (failed[0] != null) {
        throw failed[0];
      }
    }
  }

  /** A read-only close: nothing to checkpoint or sync; the file and the lock are let go. */
  private void closeReadOnly() {
    synchronized (checkpointer) {
      RuntimeException[] failed = {null};
      gate.closeWith(() -> failed[0] = releaseAll(null));
      if (failed[0] != null) {
        throw failed[0];
      }
    }
  }

  /** Closes the log, the block file and the lock, keeping the first failure ({@code first} if any). */
  private RuntimeException releaseAll(RuntimeException first) {
    dev.sapwood.internal.jmx.DatabaseBean.unregister(db);
    try {
      if (log != null) {
        log.close();
      }
    } catch (RuntimeException e) {
      first = keepFirst(first, e);
    }
    try {
      file.close();
    } catch (RuntimeException e) {
      first = keepFirst(first, e);
    }
    ctx.closeOffHeap(); // its direct memory goes back; nothing reads it after this
    try {
      lock.release();
    } catch (RuntimeException e) {
      first = keepFirst(first, e);
    }
    return first;
  }

  /** The first failure of a close; later ones ride along as suppressed exceptions. */
  private static RuntimeException keepFirst(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    if (first != next) {
      first.addSuppressed(next);
    }
    return first;
  }

}
