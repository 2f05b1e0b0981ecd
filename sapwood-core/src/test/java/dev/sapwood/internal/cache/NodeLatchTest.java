package dev.sapwood.internal.cache;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NodeLatchTest {

  /** Waits (a liveness guard, not a timing assertion) until {@code t} is queued on {@code latch}. */
  private static void awaitQueued(NodeLatch latch, Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!latch.isQueued(t)) {
      assertTrue(System.nanoTime() < deadline, "thread never queued on the latch");
      assertTrue(t.isAlive(), "thread ended instead of queueing");
      Thread.sleep(1);
    }
  }

  /** Runs {@code r} on a new started thread; the thread's failure, if any, lands in {@code error}. */
  private static Thread start(Runnable r, AtomicReference<Throwable> error) {
    Thread t = new Thread(() -> {
      try {
        r.run();
      } catch (Throwable e) {
        error.compareAndSet(null, e);
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Starts a thread that takes {@code latch} (the write latch if {@code write}), adds {@code name}
   * to {@code order} while it holds it, and lets it go.
   */
  private static Thread startRecording(NodeLatch latch, boolean write, List<String> order, String name,
      AtomicReference<Throwable> error) {
    return start(() -> {
      if (write) {
        latch.writeLock();
        order.add(name);
        latch.writeUnlock();
      } else {
        latch.readLock();
        order.add(name);
        latch.readUnlock();
      }
    }, error);
  }

  @Test
  void readersShareTheLatch() throws Exception {
    NodeLatch latch = new NodeLatch();
    latch.readLock();
    AtomicReference<Throwable> error = new AtomicReference<>();
    boolean[] got = new boolean[1];
    Thread other = start(() -> {
      got[0] = latch.tryReadLock();
      assertEquals(2, latch.readers());
      latch.readUnlock();
    }, error);
    other.join();
    assertNull(error.get());
    assertTrue(got[0], "a second reader got in beside the first");
    assertEquals(1, latch.readers());
    latch.readUnlock();
    assertEquals(0, latch.readers());
  }

  @Test
  void aWriterExcludesReadersAndWritersAndReadersExcludeAWriter() throws Exception {
    NodeLatch latch = new NodeLatch();
    latch.writeLock();
    assertTrue(latch.isWriteLockedByCurrentThread());
    AtomicReference<Throwable> error = new AtomicReference<>();
    boolean[] got = new boolean[3];
    Thread other = start(() -> {
      got[0] = latch.tryReadLock();
      got[1] = latch.tryWriteLock();
      got[2] = latch.isWriteLockedByCurrentThread();
    }, error);
    other.join();
    assertNull(error.get());
    assertFalse(got[0] || got[1] || got[2]);
    latch.writeUnlock();
    assertFalse(latch.isWriteLocked());

    latch.readLock();
    other = start(() -> got[1] = latch.tryWriteLock(), error);
    other.join();
    assertNull(error.get());
    assertFalse(got[1], "a writer got in beside a reader");
    latch.readUnlock();
    assertTrue(latch.tryWriteLock());
    latch.writeUnlock();
  }

  @Test
  void aWaitingWriterMakesNewReadersQueueAndGoesFirst() throws Exception {
    NodeLatch latch = new NodeLatch();
    latch.readLock(); // the first reader
    List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicReference<Throwable> error = new AtomicReference<>();
    Thread writer = startRecording(latch, true, order, "writer", error);
    awaitQueued(latch, writer);

    // A writer waits: a reader arriving now neither barges in (try form) nor gets in (blocking).
    boolean[] barged = new boolean[1];
    Thread tryReader = start(() -> barged[0] = latch.tryReadLock(), error);
    tryReader.join();
    assertFalse(barged[0], "a new reader passed a waiting writer");
    Thread reader = startRecording(latch, false, order, "reader", error);
    awaitQueued(latch, reader);
    assertEquals(List.of(), order);

    latch.readUnlock(); // the first reader leaves: the writer, then the new reader
    writer.join();
    reader.join();
    assertNull(error.get());
    assertEquals(List.of("writer", "reader"), order);
  }

  @Test
  void aReaderArrivingWhileOnlyReadersWaitGetsInAtOnce() throws Exception {
    NodeLatch latch = new NodeLatch();
    latch.writeLock();
    AtomicReference<Throwable> error = new AtomicReference<>();
    CountDownLatch queuedReaderIn = new CountDownLatch(1);
    CountDownLatch mayLeave = new CountDownLatch(1);
    Thread queued = start(() -> {
      latch.readLock();
      queuedReaderIn.countDown();
      try {
        mayLeave.await();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      } finally {
        latch.readUnlock();
      }
    }, error);
    awaitQueued(latch, queued);
    // The release wakes the queued reader, which may not have run yet: no writer waits, so a reader
    // arriving now gets in beside it instead of parking behind it (a fully fair latch refused it).
    latch.writeUnlock();
    assertTrue(latch.tryReadLock(), "a reader was kept out while only a reader waited");
    queuedReaderIn.await();
    assertEquals(2, latch.readers());
    latch.readUnlock();
    mayLeave.countDown();
    queued.join();
    assertNull(error.get());
    assertEquals(0, latch.readers());
    assertTrue(latch.tryWriteLock());
    latch.writeUnlock();
  }

  @Test
  void aRunningWriterFindingTheLatchFreeMayPassAQueuedWriter() throws Exception {
    // After a release the latch is free until the queued writer it woke has run. A fair latch never
    // lets a writer arriving then pass it; this one does whenever the arriving writer is there first,
    // which a race decides each time: over many rounds it must happen at least once.
    int rounds = 100;
    int passed = 0;
    for (int r = 0; r < rounds; r++) {
      NodeLatch latch = new NodeLatch();
      latch.writeLock();
      List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicReference<Throwable> error = new AtomicReference<>();
      Thread queued = startRecording(latch, true, order, "queued", error);
      awaitQueued(latch, queued);
      latch.writeUnlock();
      latch.writeLock();
      order.add("running");
      latch.writeUnlock();
      queued.join();
      assertNull(error.get());
      assertEquals(2, order.size());
      if (order.get(0).equals("running")) {
        passed++;
      }
    }
    assertTrue(passed > 0, "a running writer never took the free latch before the woken one in " + rounds + " rounds");
  }

  @Test
  void writersPassAWaitingReaderAtMostMaxPassesTimesInARow() throws Exception {
    // One writer releasing and retaking the latch while a reader waits: it may pass the reader a
    // few times (when it is there first), never more than MAX_PASSES; then the reader gets in.
    int roundsAtTheBound = 0;
    for (int round = 0; round < 300 && roundsAtTheBound < 5; round++) {
      NodeLatch latch = new NodeLatch();
      latch.writeLock();
      List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicReference<Throwable> error = new AtomicReference<>();
      Thread reader = startRecording(latch, false, order, "reader", error);
      awaitQueued(latch, reader);
      int cycles = 0;
      while (!order.contains("reader")) {
        int passesBefore = latch.passes;
        assertTrue(passesBefore <= NodeLatch.MAX_PASSES, "passed " + passesBefore + " times");
        latch.writeUnlock();
        latch.writeLock();
        cycles++;
        if (passesBefore == NodeLatch.MAX_PASSES) {
          roundsAtTheBound++;
          assertTrue(order.contains("reader"), "the writer passed the waiting reader again at the bound");
        }
        assertTrue(cycles <= NodeLatch.MAX_PASSES + 1, "the reader waited " + cycles + " releases");
      }
      latch.writeUnlock();
      reader.join();
      assertNull(error.get());
    }
    assertTrue(roundsAtTheBound > 0, "the writer never reached the bound: the rule was not exercised");
  }

  @Test
  void readersQueuedBehindAWriterGetInTogether() throws Exception {
    NodeLatch latch = new NodeLatch();
    latch.writeLock();
    int n = 3;
    CyclicBarrier allIn = new CyclicBarrier(n); // passes only if all n hold the read latch at once
    AtomicReference<Throwable> error = new AtomicReference<>();
    List<Thread> readers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Thread t = start(() -> {
        latch.readLock();
        try {
          allIn.await();
        } catch (Exception e) {
          throw new AssertionError(e);
        } finally {
          latch.readUnlock();
        }
      }, error);
      readers.add(t);
      awaitQueued(latch, t);
    }
    latch.writeUnlock();
    for (Thread t : readers) {
      t.join();
    }
    assertNull(error.get());
    assertEquals(0, latch.readers());
  }

  @Test
  void theLatchIsNotReentrantAndUnlocksAreChecked() {
    NodeLatch latch = new NodeLatch();
    assertThrows(IllegalMonitorStateException.class, latch::readUnlock);
    assertThrows(IllegalMonitorStateException.class, latch::writeUnlock);
    latch.writeLock();
    assertThrows(IllegalStateException.class, latch::writeLock);
    assertFalse(latch.tryReadLock(), "the writer itself cannot read-latch (no downgrade)");
    latch.writeUnlock();
    latch.readLock();
    assertThrows(IllegalMonitorStateException.class, latch::writeUnlock);
    latch.readUnlock();
  }

  @Test
  void concurrentReadersAndWritersNeverOverlap() throws Exception {
    NodeLatch latch = new NodeLatch();
    AtomicInteger readersIn = new AtomicInteger();
    AtomicInteger writersIn = new AtomicInteger();
    AtomicInteger violations = new AtomicInteger();
    AtomicInteger writes = new AtomicInteger();
    int threads = 4;
    int rounds = 20_000;
    CountDownLatch go = new CountDownLatch(1);
    AtomicReference<Throwable> error = new AtomicReference<>();
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      all.add(start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        for (int i = 0; i < rounds; i++) {
          if ((i + id) % 8 == 0) {
            latch.writeLock();
            if (writersIn.incrementAndGet() != 1 || readersIn.get() != 0) {
              violations.incrementAndGet();
            }
            writes.incrementAndGet();
            writersIn.decrementAndGet();
            latch.writeUnlock();
          } else {
            latch.readLock();
            readersIn.incrementAndGet();
            if (writersIn.get() != 0) {
              violations.incrementAndGet();
            }
            readersIn.decrementAndGet();
            latch.readUnlock();
          }
        }
      }, error));
    }
    go.countDown();
    for (Thread t : all) {
      t.join();
    }
    assertNull(error.get());
    assertEquals(0, violations.get());
    assertEquals(threads * rounds / 8, writes.get());
    assertEquals(0, latch.readers());
    assertFalse(latch.isWriteLocked());
  }
}
