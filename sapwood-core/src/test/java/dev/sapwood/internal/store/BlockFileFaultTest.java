package dev.sapwood.internal.store;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.ForwardingFileIo;
import dev.sapwood.internal.io.ForwardingIoFile;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.MemoryFileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Corruption sweeps, sticky I/O failures and concurrent readers. */
class BlockFileFaultTest {
  private static final Header.Settings SETTINGS = HeaderSlotTest.SETTINGS;
  private final MemoryFileIo mem = new MemoryFileIo();
  private final Path path = Path.of("/db/t.sap");

  /** Wraps MemoryFileIo; fails every force() (or write) once armed. */
  private static final class FailingIo extends ForwardingFileIo {
    final AtomicBoolean failForce = new AtomicBoolean();
    final AtomicBoolean failWrite = new AtomicBoolean();
    final AtomicBoolean slowReads = new AtomicBoolean();

    FailingIo(FileIo inner) {
      super(inner);
    }

    @Override
    protected IoFile wrap(IoFile f) {
      return new ForwardingIoFile(f) {
        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
          if (slowReads.get()) {
            LockSupport.parkNanos(50_000); // widen the window between lookup and read
          }
          return inner.read(position, dst);
        }

        @Override
        public void write(long position, ByteBuffer src) throws IOException {
          if (failWrite.get()) {
            throw new IOException("injected write failure");
          }
          inner.write(position, src);
        }

        @Override
        public void force() throws IOException {
          if (failForce.get()) {
            throw new IOException("injected fsync failure");
          }
          inner.force();
        }
      };
    }
  }

  @Test
  void aFailedFsyncIsStickyAndNeverRetried() {
    FailingIo io = new FailingIo(mem);
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      long b = f.allocateBlockNumber();
      f.writeBlock(b, new byte[] {1, 2, 3}, 0, 3);
      io.failForce.set(true);
      StorageException first = assertThrows(StorageException.class, () -> f.checkpoint(b, 0, 0));
      Throwable cause = first.getCause();
      assertEquals("injected fsync failure", cause.getMessage());
      io.failForce.set(false); // the device "recovers": we still must not trust it
      StorageException again = assertThrows(StorageException.class, () -> f.checkpoint(b, 0, 0));
      assertSame(cause, again.getCause());
      StorageException write = assertThrows(StorageException.class,
          () -> f.writeBlock(b, new byte[1], 0, 1));
      assertSame(cause, write.getCause());
      assertArrayEquals(new byte[] {1, 2, 3}, f.readBlock(b), "reads continue");
      assertEquals(0, f.header().checkpointCount());
    }
  }

  @Test
  void aFailedWriteIsStickyToo() {
    FailingIo io = new FailingIo(mem);
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      long b = f.allocateBlockNumber();
      io.failWrite.set(true);
      StorageException first = assertThrows(StorageException.class,
          () -> f.writeBlock(b, new byte[10], 0, 10));
      io.failWrite.set(false);
      StorageException later = assertThrows(StorageException.class,
          () -> f.writeBlock(b, new byte[10], 0, 10));
      assertSame(first.getCause(), later.getCause());
      assertFalse(f.isMapped(b));
    }
  }

  @Test
  void everyByteFlipInTheBlockTableRegionIsDetectedOnOpen() {
    Header h;
    try (BlockFile f = BlockFile.create(mem, path, SETTINGS)) {
      for (int i = 0; i < 5; i++) {
        long b = f.allocateBlockNumber();
        f.writeBlock(b, new byte[100 * (i + 1)], 0, 100 * (i + 1));
      }
      f.checkpoint(1, 0, 0);
      h = f.header();
    }
    byte[] good = mem.contents(path);
    int start = (int) h.blockTableOffset();
    for (int i = start; i < start + h.blockTableSize(); i++) {
      byte[] bad = good.clone();
      bad[i] ^= (byte) 0xff;
      mem.setContents(path, bad);
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> BlockFile.open(mem, path), "flip at " + i);
      assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
      assertTrue(e.offset() >= start, "offset " + e.offset() + " for flip at " + i);
    }
  }

  @Test
  void readersNeverSeeAnotherBlocksBytesWhileBlocksAreRewritten() throws Exception {
    FailingIo io = new FailingIo(mem);
    io.slowReads.set(true);
    BlockFile f = BlockFile.create(io, path, SETTINGS);
    int blocks = 8;
    long[] numbers = new long[blocks];
    for (int i = 0; i < blocks; i++) {
      numbers[i] = f.allocateBlockNumber();
      f.writeBlock(numbers[i], fill(i, 0, 3000), 0, 3000);
    }
    f.checkpoint(numbers[0], 0, 0);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread r = new Thread(() -> {
        try {
          while (!stop.get()) {
            for (int i = 0; i < blocks; i++) {
              byte[] b = f.readBlock(numbers[i]);
              if (b[0] != i) {
                throw new AssertionError("block " + i + " read bytes of block " + b[0]);
              }
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      r.start();
      readers.add(r);
    }
    for (int round = 1; round < 200; round++) {
      for (int i = 0; i < blocks; i++) {
        byte[] data = fill(i, round, 1000 + (round * 37 + i * 101) % 9000);
        f.writeBlock(numbers[i], data, 0, data.length);
      }
    }
    stop.set(true);
    for (Thread r : readers) {
      r.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    // Two checkpoints: the first leaves what the older header slot still refers to waiting.
    f.checkpoint(numbers[0], 0, 0);
    f.checkpoint(numbers[0], 0, 0);
    // Only the two tables the header slots describe (one unit each) still wait.
    assertTrue(f.counters().get("store.pending_free_bytes") <= 8192, "limbo drained");
    f.close();
  }

  /** A block whose first byte names it and whose remaining bytes are its version. */
  private static byte[] fill(int block, int version, int size) {
    byte[] b = new byte[size];
    java.util.Arrays.fill(b, (byte) version);
    b[0] = (byte) block;
    return b;
  }
}
