package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.SyncInterruptedException;
import dev.sapwood.internal.io.ForwardingFileIo;
import dev.sapwood.internal.io.ForwardingIoFile;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit and interrupts: a caller interrupted while it waits for another thread's fsync
 * gives up with a {@link SyncInterruptedException} (its flag kept), and the log is not failed by
 * it; internal callers ({@link LogWriter#sync}) wait on through an interrupt.
 */
class LogWriterInterruptTest {
  private static final Path DIR = Path.of("/db/wal");
  private final CountDownLatch inFsync = new CountDownLatch(1);
  private final CountDownLatch releaseFsync = new CountDownLatch(1);
  private volatile boolean holdFsync;

  /** Memory files whose fsync, once {@link #holdFsync} is set, waits for {@link #releaseFsync}. */
  private final ForwardingFileIo io = new ForwardingFileIo(new MemoryFileIo()) {
    @Override
    protected IoFile wrap(IoFile file) {
      return new ForwardingIoFile(file) {
        @Override
        public void force() throws IOException {
          if (holdFsync && releaseFsync.getCount() > 0) {
            inFsync.countDown();
            try {
              releaseFsync.await();
            } catch (InterruptedException e) {
              throw new AssertionError("the leader's fsync was interrupted", e);
            }
          }
          super.force();
        }
      };
    }
  };

  private final LogWriter log = new LogWriter(io, DIR, 1, 1 << 20, new Counters());

  @AfterEach
  void release() {
    releaseFsync.countDown();
    Thread.interrupted();
  }

  private long append() {
    byte[] b = {1, 2, 3};
    return log.append(b, 0, b.length);
  }

  /** Starts a leader whose fsync is held; returns once it is in the fsync. */
  private Thread heldLeader(AtomicReference<Throwable> failure) throws InterruptedException {
    long lsn = append();
    holdFsync = true;
    Thread leader = new Thread(() -> {
      try {
        log.sync(lsn);
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    leader.start();
    inFsync.await();
    return leader;
  }

  private static void awaitWaiting(Thread t) {
    while (t.getState() != Thread.State.WAITING) {
      Thread.onSpinWait();
    }
  }

  /** A thread running a sync: what it threw, and whether its interrupt flag was set at the end. */
  private static final class Waiter {
    final AtomicReference<Throwable> seen = new AtomicReference<>();
    final AtomicReference<Boolean> flag = new AtomicReference<>();
    final Thread thread;

    /** Starts {@code sync}, waits until it waits for group commit, and interrupts it. */
    Waiter(Runnable sync) {
      thread = new Thread(() -> {
        try {
          sync.run();
        } catch (Throwable e) {
          seen.set(e);
        }
        flag.set(Thread.currentThread().isInterrupted());
      });
      thread.start();
      awaitWaiting(thread); // in the group-commit wait
      thread.interrupt();
    }
  }

  @Test
  void aWaiterInterruptedDuringAnotherThreadsFsyncGivesUpAndTheLogGoesOn() throws Exception {
    AtomicReference<Throwable> leaderFailure = new AtomicReference<>();
    Thread leader = heldLeader(leaderFailure);
    long mine = append();
    Waiter waiter = new Waiter(() -> log.syncInterruptibly(mine));
    waiter.thread.join();
    assertTrue(waiter.seen.get() instanceof SyncInterruptedException, "the waiter saw " + waiter.seen.get());
    assertTrue(waiter.seen.get().getCause() instanceof InterruptedException);
    assertTrue(waiter.flag.get(), "the waiter's interrupt flag was cleared");
    releaseFsync.countDown();
    leader.join();
    assertNull(leaderFailure.get());
    assertNull(log.failure(), "an interrupted waiter failed the log");
    log.syncInterruptibly(mine); // the record is still there to be made durable
    assertTrue(log.durableLsn() >= mine);
    log.close();
  }

  @Test
  void anInternalSyncWaitsThroughAnInterruptAndKeepsTheFlag() throws Exception {
    AtomicReference<Throwable> leaderFailure = new AtomicReference<>();
    Thread leader = heldLeader(leaderFailure);
    long mine = append();
    Waiter waiter = new Waiter(() -> log.sync(mine));
    releaseFsync.countDown();
    waiter.thread.join();
    leader.join();
    assertNull(waiter.seen.get(), "an internal sync gave up");
    assertTrue(waiter.flag.get(), "the interrupt flag was cleared");
    assertTrue(log.durableLsn() >= mine);
    assertNull(log.failure());
    log.close();
  }

  @Test
  void aCallerInterruptedBeforeItsSyncGivesUpAtOnceAndTheLogGoesOn() {
    long lsn = append();
    Thread.currentThread().interrupt();
    assertThrows(SyncInterruptedException.class, () -> log.syncInterruptibly(lsn));
    assertTrue(Thread.interrupted(), "the interrupt flag was cleared");
    assertNull(log.failure());
    log.syncInterruptibly(lsn);
    assertTrue(log.durableLsn() >= lsn);
    Thread.currentThread().interrupt();
    log.syncInterruptibly(lsn); // nothing to wait for: no exception
    assertTrue(Thread.interrupted());
    log.close();
  }

  @Test
  void aFailureIsReportedBeforeAnInterrupt() {
    java.util.concurrent.atomic.AtomicBoolean failFsync = new java.util.concurrent.atomic.AtomicBoolean();
    ForwardingFileIo failing = new ForwardingFileIo(new MemoryFileIo()) {
      @Override
      protected IoFile wrap(IoFile file) {
        return new ForwardingIoFile(file) {
          @Override
          public void force() throws IOException {
            if (failFsync.get()) {
              throw new IOException("injected fsync failure");
            }
            super.force();
          }
        };
      }
    };
    LogWriter l = new LogWriter(failing, DIR, 1, 1 << 20, new Counters());
    failFsync.set(true);
    byte[] b = {1};
    long lsn = l.append(b, 0, 1);
    assertThrows(dev.sapwood.StorageException.class, () -> l.sync(lsn));
    Thread.currentThread().interrupt();
    assertThrows(dev.sapwood.StorageException.class, () -> l.syncInterruptibly(lsn));
    assertTrue(Thread.interrupted(), "the interrupt flag was cleared");
  }
}
