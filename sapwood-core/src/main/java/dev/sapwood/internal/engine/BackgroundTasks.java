package dev.sapwood.internal.engine;

import dev.sapwood.Options;
import dev.sapwood.internal.tree.Background;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The database's background threads: one that checkpoints every {@link
 * Options#checkpointInterval()} and whenever space waiting for release calls for it ({@link
 * SpaceCheckpoints}, asked every {@link SpaceCheckpoints#TICK_MS} ms); one that syncs the log every {@link Options#syncInterval()} (the
 * bound on what a power loss can take from {@code ASYNC} writes); one that flushes gorged roots
 * handed over by writers and, every {@link #CLEANER_PERIOD_MS} ms, runs the cleaner (flushing the
 * fullest buffers so queries meet short ones); one that runs the cache's clock when a release
 * found the cache over budget (parking or writing back dirty nodes: {@link #submitEviction}).
 * Errors are logged once and surface through the
 * database's sticky failure: the first failure of a background task at {@code ERROR} with its
 * stack trace, each later one (the tasks that find the database failed) at {@code DEBUG}; {@link
 * #stop} ends every thread and waits.
 */
final class BackgroundTasks implements Background {
  static final long CLEANER_PERIOD_MS = 200;

  private final DatabaseImpl db;
  private final System.Logger logger;
  private final ScheduledExecutorService checkpoints;
  private final ScheduledExecutorService syncs;
  private final ScheduledExecutorService flushes;
  private final ScheduledExecutorService evictions;
  private final java.util.concurrent.atomic.AtomicBoolean failureLogged = new java.util.concurrent.atomic.AtomicBoolean();

  BackgroundTasks(DatabaseImpl db, Options options, System.Logger logger) {
    this.db = db;
    this.logger = logger;
    checkpoints = Executors.newSingleThreadScheduledExecutor(daemon("sapwood-checkpointer"));
    syncs = Executors.newSingleThreadScheduledExecutor(daemon("sapwood-log-syncer"));
    flushes = Executors.newSingleThreadScheduledExecutor(daemon("sapwood-flusher"));
    evictions = Executors.newSingleThreadScheduledExecutor(daemon("sapwood-evictor"));
    flushes.scheduleWithFixedDelay(() -> run("cleaner", db::clean), CLEANER_PERIOD_MS,
        CLEANER_PERIOD_MS, TimeUnit.MILLISECONDS);
    long ckpt = options.checkpointInterval().toMillis();
    checkpoints.scheduleWithFixedDelay(() -> run("checkpoint", db::checkpoint), ckpt, ckpt, TimeUnit.MILLISECONDS);
    checkpoints.scheduleWithFixedDelay(() -> run("space checkpoint", () -> db.checkpointIfSpaceWaits(System.nanoTime())),
        SpaceCheckpoints.TICK_MS, SpaceCheckpoints.TICK_MS, TimeUnit.MILLISECONDS);
    long sync = Math.max(1, options.syncInterval().toMillis());
    syncs.scheduleWithFixedDelay(() -> run("log sync", db::syncIfBehind), sync, sync, TimeUnit.MILLISECONDS);
  }

  private void run(String what, Runnable task) {
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
      // The database has recorded the failure (writes now fail with it); say so once, here. The
      // tasks that run after it fail with it too: nothing new to say but that they stopped.
      if (failureLogged.compareAndSet(false, true)) {
        logger.log(System.Logger.Level.ERROR, "background " + what + " failed; the database refuses writes", e);
      } else {
        logger.log(System.Logger.Level.DEBUG, () -> "background " + what + " stopped after the database failed: " + e);
      }
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

  /** Queues a writer's flush; refused (the writer flushes itself) once stopping. */
  @Override
  public boolean submit(Runnable task) {
    try {
      flushes.execute(() -> run("flush", () -> db.runInBackground(task)));
      return true;
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      return false;
    }
  }

  /**
   * Queues a clock run on the evictor's thread, under the same lock as a write; refused once
   * stopping. Not on the flusher's: queued behind a root flush (tens of milliseconds), the run
   * left writers to run the cache a quarter over budget and then park nodes themselves (13% of the
   * overwrite writer's samples; docs/benchmarks.md, "The writer's CPU per put").
   */
  @Override
  public boolean submitEviction(Runnable task) {
    try {
      evictions.execute(() -> run("eviction", () -> db.runInBackground(task)));
      return true;
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      return false;
    }
  }

  /**
   * Stops every thread and waits for the task in progress to finish, even if the caller is
   * interrupted. Never interrupts the threads: nothing here is cancelled half way.
   */
  void stop() {
    checkpoints.shutdown();
    syncs.shutdown();
    flushes.shutdown();
    evictions.shutdown();
    boolean interrupted = false;
    for (ScheduledExecutorService s : new ScheduledExecutorService[] {checkpoints, syncs, flushes, evictions}) {
      // An interrupted caller (a close on an interrupted thread) still waits: the database must not
      // be closed under a task in progress. Its flag is set again after.
      while (true) {
        try {
          s.awaitTermination(1, TimeUnit.MINUTES);
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
