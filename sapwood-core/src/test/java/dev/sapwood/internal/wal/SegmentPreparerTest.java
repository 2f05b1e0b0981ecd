package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.StorageException;
import dev.sapwood.internal.io.ForwardingFileIo;
import dev.sapwood.internal.io.ForwardingIoFile;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.IoMapping;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The log's preparer readies each segment ahead of the frames on its own thread ({@link
 * SegmentPreparer}): a writer that finds the region past the segment's end ready stores without
 * readying anything itself; a failure readying ahead fails the log; a full segment's readying is
 * stopped before the rotation cuts it; after readying it forces the windows the stores left, and a
 * failure there fails the log too; close stops the thread. The mapping here is a model of a
 * mapped segment's ({@link IoMapping#prepared}, {@link IoMapping#prepareAhead}) over an in-memory
 * file, recording who readied what.
 */
class SegmentPreparerTest {
  private static final Path DIR = Path.of("/wal");
  private static final int CHUNK = 16 << 10;

  /** A segment's mapping that readies by chunks, like a mapped one, and records who readied what. */
  private static final class Readying implements IoMapping {
    final IoMapping inner;
    final String name;
    final List<String> events;
    volatile long prepared;
    volatile boolean stopped;
    volatile boolean failAhead;
    volatile Thread aheadThread;
    volatile int storesReadying; // stores that reached past what was ready
    volatile boolean failLeft;
    volatile Thread leftThread;
    volatile int leftForces;

    Readying(IoMapping inner, String name, List<String> events) {
      this.inner = inner;
      this.name = name;
      this.events = events;
    }

    @Override
    public long size() {
      return inner.size();
    }

    private synchronized void ready(long to) {
      long end = Math.min(size(), (to + CHUNK - 1) / CHUNK * CHUNK);
      if (end > prepared) {
        prepared = end;
      }
    }

    @Override
    public void put(long position, ByteBuffer src) throws IOException {
      readyFor(position + src.remaining());
      inner.put(position, src);
    }

    @Override
    public void put(long position, byte[] src, int off, int len) throws IOException {
      readyFor(position + len);
      inner.put(position, src, off, len);
    }

    private void readyFor(long end) {
      if (end > prepared) {
        storesReadying++;
        ready(end);
      }
    }

    @Override
    public long prepared() {
      return prepared;
    }

    @Override
    public void prepareAhead(long to) throws IOException {
      aheadThread = Thread.currentThread();
      if (failAhead) {
        throw new IOException("no space left on device (injected)");
      }
      if (!stopped) {
        ready(to);
      }
    }

    @Override
    public void stopPreparing() {
      stopped = true;
      events.add("stop " + name);
    }

    @Override
    public void forceLeft() throws IOException {
      leftThread = Thread.currentThread();
      leftForces++;
      if (failLeft) {
        throw new IOException("a window's write-back failed (injected)");
      }
    }

    @Override
    public void force() throws IOException {
      inner.force();
    }
  }

  private final List<Readying> maps = new CopyOnWriteArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private volatile boolean failAhead;
  private volatile boolean failLeft;

  private final ForwardingFileIo io = new ForwardingFileIo(new MemoryFileIo()) {
    @Override
    protected IoFile wrap(IoFile file) {
      return new ForwardingIoFile(file) {
        @Override
        public IoMapping map(long size) throws IOException {
          Readying m = new Readying(inner.map(size), file.name(), events);
          m.failAhead = failAhead;
          m.failLeft = failLeft;
          maps.add(m);
          return m;
        }

        @Override
        public void truncate(long size) throws IOException {
          events.add("truncate " + file.name() + " " + size);
          super.truncate(size);
        }
      };
    }
  };

  private static byte[] record(Random r) {
    byte[] b = new byte[100];
    r.nextBytes(b); // incompressible
    return b;
  }

  private static void await(BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within 30 s: " + what);
      Thread.sleep(5);
    }
  }

  /**
   * Writes up to {@code records} records, or until a write throws the failure the preparer
   * recorded meanwhile, then waits until the log has failed.
   */
  private static void writeUntilTheLogFails(LogWriter w, Random r, int records) throws InterruptedException {
    try {
      for (int i = 0; i < records && w.failure() == null; i++) {
        w.append(record(r), 0, 100);
        w.write();
      }
    } catch (StorageException e) {
      // the preparer failed the log meanwhile
    }
    await(() -> w.failure() != null, "the log failed");
  }

  private Readying current() {
    return maps.get(maps.size() - 1);
  }

  @Test
  void theRegionPastTheSegmentsEndIsReadiedByThePreparerBeforeTheWriterGetsThere() throws Exception {
    Counters counters = new Counters();
    Random r = new Random(1);
    try (LogWriter w = new LogWriter(io, DIR, 0, 4 << 20, counters)) {
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 50; i++) { // about 5 KiB of log
          w.append(record(r), 0, 100);
          w.write();
        }
        Readying m = current();
        long end = w.segmentBytes();
        await(() -> m.prepared() - end >= SegmentPreparer.LOW, "readied " + SegmentPreparer.LOW + " bytes past " + end);
        assertEquals("sapwood-log-prepare", m.aheadThread.getName());
        int before = m.storesReadying;
        w.append(record(r), 0, 100);
        w.write(); // staged, up to STAGED_GAP + MAX_STAGED past the end: within what is ready
        w.append(record(r), 0, 100);
        w.sync(w.nextLsn() - 1); // a frame at the end
        assertEquals(before, m.storesReadying, "a store readied a chunk the preparer had readied, round " + round);
      }
      assertTrue(counters.value("log.prepare_wakes") > 0);
    }
  }

  @Test
  void aFailureReadyingAheadFailsTheLogAndTheNextWriteThrowsIt() throws Exception {
    failAhead = true;
    LogWriter w = new LogWriter(io, DIR, 0, 4 << 20, new Counters());
    Random r = new Random(2);
    writeUntilTheLogFails(w, r, 20);
    assertTrue(w.failure().getMessage().contains("injected"), w.failure().getMessage());
    assertThrows(StorageException.class, () -> {
      w.append(record(r), 0, 100);
      w.write();
    });
    assertThrows(StorageException.class, () -> w.sync(0));
    w.close();
    assertNotNull(current().aheadThread);
    current().aheadThread.join(30_000);
    assertFalse(current().aheadThread.isAlive(), "the preparer ended");
  }

  @Test
  void thePreparerForcesTheWindowsTheStoresLeftAfterReadying() throws Exception {
    Random r = new Random(4);
    try (LogWriter w = new LogWriter(io, DIR, 0, 4 << 20, new Counters())) {
      for (int i = 0; i < 200; i++) {
        w.append(record(r), 0, 100);
        w.write();
      }
      Readying m = current();
      await(() -> m.leftForces > 0, "the preparer forced the windows left");
      assertEquals("sapwood-log-prepare", m.leftThread.getName());
    }
  }

  @Test
  void aFailureForcingTheWindowsLeftFailsTheLogAndTheNextSyncThrowsIt() throws Exception {
    failLeft = true;
    LogWriter w = new LogWriter(io, DIR, 0, 4 << 20, new Counters());
    writeUntilTheLogFails(w, new Random(5), 200);
    assertTrue(w.failure().getMessage().contains("write-back failed"), w.failure().getMessage());
    assertThrows(StorageException.class, () -> w.sync(0));
    w.close();
  }

  @Test
  void aFullSegmentsReadyingIsStoppedBeforeItsCutAndCloseEndsThePreparer() throws Exception {
    Counters counters = new Counters();
    LogWriter w = new LogWriter(io, DIR, 0, 64 << 10, counters);
    Random r = new Random(3);
    while (counters.value("log.rotations") < 2) {
      w.append(record(r), 0, 100);
      w.write();
    }
    await(() -> preparerThread() != null, "the preparer readied a segment");
    Thread t = preparerThread();
    w.close();
    String first = maps.get(0).name;
    int stop = events.indexOf("stop " + first);
    int cut = -1;
    for (int i = 0; i < events.size() && cut < 0; i++) {
      if (events.get(i).startsWith("truncate " + first + " ") && !events.get(i).endsWith(" 0")) {
        cut = i;
      }
    }
    assertTrue(stop >= 0 && cut > stop, "stopped before the rotation cut the full segment: " + events);
    assertFalse(t.isAlive(), "close ended the preparer");
  }

  private Thread preparerThread() {
    return maps.stream().map(m -> m.aheadThread).filter(t -> t != null).findFirst().orElse(null);
  }
}
