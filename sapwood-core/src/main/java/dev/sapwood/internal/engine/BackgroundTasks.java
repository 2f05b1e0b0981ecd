package dev.sapwood.internal.engine;

import dev.sapwood.Options;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The database's background threads: one that checkpoints every {@link
 * Options#checkpointInterval()}, one that syncs the log every {@link Options#syncInterval()} (the
 * bound on what a power loss can take from {@code ASYNC} writes). Errors are logged once and
 * surface through the database's sticky failure; {@link #stop} ends both threads and waits.
 */
final class BackgroundTasks {
  private final ScheduledExecutorService checkpoints;
  private final ScheduledExecutorService syncs;

  BackgroundTasks(DatabaseImpl db, Options options, System.Logger logger) {
    checkpoints = Executors.newSingleThreadScheduledExecutor(daemon("sapwood-checkpointer"));
    syncs = Executors.newSingleThreadScheduledExecutor(daemon("sapwood-log-syncer"));
    long ckpt = options.checkpointInterval().toMillis();
    checkpoints.scheduleWithFixedDelay(() -> run(db, logger, "checkpoint", db::checkpoint), ckpt, ckpt, TimeUnit.MILLISECONDS);
    long sync = Math.max(1, options.syncInterval().toMillis());
    syncs.scheduleWithFixedDelay(() -> run(db, logger, "log sync", db::syncIfBehind), sync, sync, TimeUnit.MILLISECONDS);
  }

  private static void run(DatabaseImpl db, System.Logger logger, String what, Runnable task) {
    if (db.isClosed()) {
      return;
    }
    try {
      task.run();
    } catch (IllegalStateException closedMeanwhile) {
      if (!db.isClosed()) {
        logger.log(System.Logger.Level.ERROR, "background " + what + " failed", closedMeanwhile);
      }
    } catch (RuntimeException e) {
      // The database has recorded the failure (writes now fail with it); say so once, here.
      logger.log(System.Logger.Level.ERROR, "background " + what + " failed; the database refuses writes", e);
      throw e; // ends this task's schedule: a failed database is not retried
    }
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  void stop() {
    checkpoints.shutdownNow();
    syncs.shutdownNow();
    try {
      checkpoints.awaitTermination(1, TimeUnit.MINUTES);
      syncs.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
