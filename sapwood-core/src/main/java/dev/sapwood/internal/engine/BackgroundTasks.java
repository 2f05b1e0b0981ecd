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
 * bound on what a power loss can take from {@code ASYNC} writes); {@link #FLUSH_THREADS} that flush
 * gorged roots and write back dirty nodes handed over by writers and, every {@link
 * #CLEANER_PERIOD_MS} ms, run the cleaner (flushing the fullest buffers so queries meet short
 * ones). Two flushers, because one fell behind the writer beyond memory: at 100M keys it was busy
 * 97% of the last 10M keys' wall time, half of it off the CPU (reading the children its cascades
 * flush into, writing dirty nodes back), and the writer flushed the root itself for 42% of its
 * time; a second one cascades below one root child while the first works below another
 * (docs/benchmarks.md, "The last 10M keys of 100M"). A task that throws anything while the
 * database is open fails the database (its changes run through the gate, which records the
 * failure whatever its type; {@link DatabaseGate}) and ends its schedule. Failures are logged once
 * and surface through the database's sticky failure: the first failure of a background task at
 * {@code ERROR} with its stack trace, each later one (the tasks that find the database failed) at
 * {@code DEBUG}; {@link #stop} ends every thread and waits.
 */
final class BackgroundTasks implements Background {
  static final long CLEANER_PERIOD_MS = 200;
  /** Threads running flushes, dirty write-backs and the cleaner. */
  static final int FLUSH_THREADS = 2;

  private final DatabaseImpl db;
  private final System.Logger logger;
  private final ScheduledExecutorService checkpoints;
  private final ScheduledExecutorService syncs;
  private final ScheduledExecutorService flushes;
  private final java.util.concurrent.atomic.AtomicBoolean failureLogged = new java.util.concurrent.atomic.AtomicBoolean();

  BackgroundTasks(DatabaseImpl db, Options options, System.Logger logger) {
    this.db = db;
    this.logger = logger;
    checkpoints = Executors.newSingleThreadScheduledExecutor(daemon("sapwood-checkpointer"));
    syncs = Executors.newSingleThreadScheduledExecutor(daemon("sapwood-log-syncer"));
    flushes = Executors.newScheduledThreadPool(FLUSH_THREADS, numbered("sapwood-flusher-"));
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
    } catch (RuntimeException | Error e) {
      if (db.isClosed()) {
        return; // the gate refused it: the database closed meanwhile (or the process halted)
      }
      // A task's changes run through the gate, which has recorded the failure whatever its type;
      // what failed outside a change (a log roll) fails the database here: writes now fail with
      // the first failure. Say so once, here. The tasks that run after it fail with it too:
      // nothing new to say but that they stopped.
      db.failFromBackground(e);
      if (failureLogged.compareAndSet(false, true)) {
        logger.log(System.Logger.Level.ERROR, "background " + what + " failed; the database refuses writes", e);
      } else {
        logger.log(System.Logger.Level.DEBUG, () -> "background " + what + " stopped after the database failed: " + e);
      }
      throw e; // ends this task's schedule: a failed database is not retried
    }
  }

  private static ThreadFactory numbered(String prefix) {
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger(1);
    return r -> daemon(prefix + next.getAndIncrement()).newThread(r);
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
   * Stops every thread and waits for the task in progress to finish, even if the caller is
   * interrupted. Never interrupts the threads: nothing here is cancelled half way.
   */
  void stop() {
    checkpoints.shutdown();
    syncs.shutdown();
    flushes.shutdown();
    boolean interrupted = false;
    for (ScheduledExecutorService s : new ScheduledExecutorService[] {checkpoints, syncs, flushes}) {
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
