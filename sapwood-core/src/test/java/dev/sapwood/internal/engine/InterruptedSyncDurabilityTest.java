package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.StorageException;
import dev.sapwood.SyncInterruptedException;
import dev.sapwood.Tree;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.io.FaultInjectingFileIo;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The fate of a {@code SYNC} write whose wait was interrupted, across a power loss ({@link
 * MemoryFileIo#crash()}): applied and logged, durable once the next sync is done, and before that
 * durable or not — a batch whole or not at all. And with injected faults: an interrupt neither
 * hides a real I/O failure nor is taken for one.
 */
@dev.sapwood.testlog.CapturesEngineLog
class InterruptedSyncDurabilityTest {
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path dir = Path.of("/interrupted");
  private final Options options = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10)
      .durability(Durability.SYNC).checkpointInterval(Duration.ofHours(1)).syncInterval(Duration.ofHours(1));

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Runs {@code batch} with SYNC durability on a thread whose flag is set; returns what it threw. */
  private static Throwable syncOnInterruptedThread(DatabaseImpl db, WriteBatch batch) throws InterruptedException {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(() -> {
      Thread.currentThread().interrupt();
      try {
        db.write(batch, Durability.SYNC);
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    t.start();
    t.join();
    return thrown.get();
  }

  /**
   * Opens the database, puts a=1 (SYNC), then writes the SYNC batch {b=2, c=3} on an interrupted
   * thread, which must say it was interrupted; returns the open database.
   */
  private DatabaseImpl openWithAnInterruptedBatch() throws InterruptedException {
    DatabaseImpl db = TestSeams.open(dir, options, io);
    Tree t = db.tree("t");
    t.put(b("a"), b("1"));
    Throwable e = syncOnInterruptedThread(db, new WriteBatch().put(t, b("b"), b("2")).put(t, b("c"), b("3")));
    assertTrue(e instanceof SyncInterruptedException, "thrown: " + e);
    return db;
  }

  /** Reopens the database and finds a=1 and the whole interrupted batch. */
  private void assertReopensWithTheBatch(String why) {
    try (DatabaseImpl again = TestSeams.open(dir, options, io)) {
      Tree r = again.tree("t");
      assertArrayEquals(b("1"), r.get(b("a")));
      assertArrayEquals(b("2"), r.get(b("b")), why);
      assertArrayEquals(b("3"), r.get(b("c")), why);
    }
  }

  @Test
  void anInterruptedSyncWriteIsDurableOnceTheNextSyncIsDone() throws Exception {
    DatabaseImpl db = openWithAnInterruptedBatch();
    assertArrayEquals(b("2"), db.tree("t").get(b("b")), "applied");
    db.sync();
    TestSeams.halt(db);
    io.crash(); // power loss
    assertReopensWithTheBatch("after the next sync");
  }

  @Test
  void anInterruptedSyncWriteSurvivesAKilledProcess() throws Exception {
    DatabaseImpl db = openWithAnInterruptedBatch();
    TestSeams.halt(db);
    killProcess(); // what was handed to the operating system survives
    assertReopensWithTheBatch("an interrupted SYNC write is at least ASYNC");
  }

  /** A killed process: everything written reaches the disk (the OS has it), locks are released. */
  private void killProcess() throws java.io.IOException {
    for (Path d : new Path[] {dir, dir.resolve("wal")}) {
      for (Path p : io.list(d)) {
        io.setContents(p, io.contents(p));
      }
    }
    io.crash();
  }

  @Test
  void anInterruptedSyncBatchLostToAPowerLossIsLostWhole() throws Exception {
    DatabaseImpl db = openWithAnInterruptedBatch();
    TestSeams.halt(db);
    io.crash(); // power loss before any later sync
    try (DatabaseImpl again = TestSeams.open(dir, options, io)) {
      Tree r = again.tree("t");
      assertArrayEquals(b("1"), r.get(b("a")), "an acknowledged SYNC write");
      byte[] vb = r.get(b("b"));
      byte[] vc = r.get(b("c"));
      assertEquals(vb == null, vc == null, "half a batch survived");
      if (vb != null) {
        assertArrayEquals(b("2"), vb);
        assertArrayEquals(b("3"), vc);
      }
    }
  }

  @Test
  void anInterruptNeitherHidesNorCausesAFailure() throws Exception {
    FaultInjectingFileIo faulty = new FaultInjectingFileIo(io, 1);
    DatabaseImpl db = TestSeams.open(dir, options, faulty);
    Tree t = db.tree("t");
    t.put(b("a"), b("1"));
    faulty.failAt(FaultInjectingFileIo.Kind.FSYNC, faulty.count(FaultInjectingFileIo.Kind.FSYNC) + 1,
        FaultInjectingFileIo.Mode.FOREVER);
    // Interrupted before its fsync: gives up waiting; nothing has failed yet.
    Throwable e = syncOnInterruptedThread(db, new WriteBatch().put(t, b("b"), b("2")));
    assertTrue(e instanceof SyncInterruptedException, "thrown: " + e);
    assertNull(faulty.firstInjected(), "no fsync was attempted");
    // The next SYNC write meets the failing fsync: a StorageException, sticky as always.
    StorageException failed = assertThrows(StorageException.class, () -> t.put(b("c"), b("3")));
    assertTrue(causedBy(failed, faulty.firstInjected()), "not the injected failure: " + failed);
    assertThrows(StorageException.class, () -> t.put(b("d"), b("4")), "the failure is sticky");
    // An interrupted writer on the failed database sees the failure too, not an interrupt.
    Throwable late = syncOnInterruptedThread(db, new WriteBatch().put(t, b("e"), b("5")));
    assertTrue(late instanceof StorageException, "thrown: " + late);
    assertThrows(StorageException.class, db::close);
    faulty.disarm();
    try (DatabaseImpl again = TestSeams.open(dir, options, io)) {
      assertArrayEquals(b("1"), again.tree("t").get(b("a")), "an acknowledged write");
    }
  }

  private static boolean causedBy(Throwable t, Throwable cause) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c == cause) {
        return true;
      }
    }
    return false;
  }
}
