package dev.sapwood.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NioFileIoTest {
  @TempDir Path dir;
  private final NioFileIo io = new NioFileIo();

  @Test
  void aWriteSplitIntoPageCachePiecesLandsWholeAtAnyOffsetAndLeavesTheBufferConsumed() throws IOException {
    // Writes go out in pieces ending at multiples of WRITE_CHUNK (small page-cache folios); the
    // bytes must be exactly one write's, whatever the offset and length.
    Random r = new Random(3);
    byte[] expected = new byte[300_000];
    try (IoFile f = io.open(dir.resolve("pieces"))) {
      for (int i = 0; i < 40; i++) {
        int at = r.nextInt(200_000);
        int len = 1 + r.nextInt(i % 2 == 0 ? 3 * NioFile.WRITE_CHUNK : 90_000);
        byte[] b = new byte[len];
        r.nextBytes(b);
        ByteBuffer src = ByteBuffer.allocate(len + 10).position(5).limit(5 + len);
        src.put(b).flip().position(5);
        src.limit(5 + len);
        f.write(at, src);
        assertEquals(5 + len, src.position());
        assertEquals(5 + len, src.limit());
        System.arraycopy(b, 0, expected, at, len);
      }
      byte[] got = new byte[(int) f.size()];
      ByteBuffer dst = ByteBuffer.wrap(got);
      while (dst.hasRemaining()) {
        f.read(dst.position(), dst);
      }
      assertArrayEquals(Arrays.copyOf(expected, got.length), got);
    }
  }

  @Test
  void positionalWritesReadsTruncateAndSize() throws IOException {
    Path p = dir.resolve("sub/f.sap");
    io.createDirectories(p.getParent());
    assertFalse(io.exists(p));
    try (IoFile f = io.open(p)) {
      byte[] data = new byte[100_000];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) (i * 31);
      }
      f.write(10, ByteBuffer.wrap(data));
      f.force();
      assertEquals(100_010, f.size());
      ByteBuffer back = ByteBuffer.allocate(data.length);
      assertEquals(data.length, f.read(10, back));
      assertArrayEquals(data, back.array());
      assertEquals(-1, f.read(100_010, ByteBuffer.allocate(1)));
      f.truncate(50);
      f.truncate(1_000); // no-op: not longer
      assertEquals(50, f.size());
    }
    assertEquals(50, Files.size(p));
    io.delete(p);
    assertFalse(io.exists(p));
  }

  @Test
  void secondLockInTheSameProcessFailsUntilTheHolderCloses() throws IOException {
    Path p = dir.resolve("lock");
    IoFile a = io.open(p);
    IoFile b = io.open(p);
    assertTrue(a.tryLock());
    assertFalse(b.tryLock());
    a.close();
    assertTrue(b.tryLock());
    b.close();
  }

  /**
   * Every operation on a thread whose interrupt flag is set completes (an interrupt makes the JDK
   * close a FileChannel during I/O) and leaves the flag set; the file goes on working for others.
   */
  @Test
  void everyOperationOnAnInterruptedThreadCompletesAndKeepsTheFlag() throws Exception {
    Path p = dir.resolve("f");
    byte[] data = new byte[10_000];
    new Random(1).nextBytes(data);
    try (IoFile f = io.open(p); IoFile lock = io.open(dir.resolve("LOCK"))) {
      Thread.currentThread().interrupt();
      try {
        f.write(0, ByteBuffer.wrap(data));
        assertTrue(Thread.currentThread().isInterrupted(), "write cleared the flag");
        f.force();
        assertTrue(Thread.currentThread().isInterrupted(), "force cleared the flag");
        ByteBuffer back = ByteBuffer.allocate(data.length);
        assertEquals(data.length, f.read(0, back));
        assertArrayEquals(data, back.array());
        assertTrue(Thread.currentThread().isInterrupted(), "read cleared the flag");
        f.truncate(5_000);
        assertEquals(5_000, f.size());
        assertTrue(Thread.currentThread().isInterrupted(), "truncate cleared the flag");
        io.syncDirectory(dir);
        assertTrue(Thread.currentThread().isInterrupted(), "syncDirectory cleared the flag");
        assertTrue(lock.tryLock());
        assertTrue(Thread.currentThread().isInterrupted(), "tryLock cleared the flag");
      } finally {
        Thread.interrupted();
      }
      f.write(5_000, ByteBuffer.wrap(data, 5_000, 5_000)); // and the file works on, uninterrupted
      ByteBuffer back = ByteBuffer.allocate(data.length);
      assertEquals(data.length, f.read(0, back));
      assertArrayEquals(data, back.array());
      try (IoFile other = io.open(dir.resolve("LOCK"))) {
        assertFalse(other.tryLock(), "the lock taken on the interrupted thread is not held");
      }
    }
    assertArrayEquals(data, Files.readAllBytes(p));
  }

  /**
   * Writers and readers sharing one file while a thread interrupts them over and over: each
   * interrupt closes the channel under all of them; every write still lands whole and every read
   * returns what was written.
   */
  @Test
  void writersInterruptedOverAndOverLoseNoWrite() throws Exception {
    long seed = System.nanoTime();
    System.out.println("writersInterruptedOverAndOverLoseNoWrite seed " + seed);
    int writers = 4;
    int blocks = 400;
    int blockSize = 4096;
    Path p = dir.resolve("f");
    try (IoFile f = io.open(p)) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicBoolean done = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        threads.add(new Thread(() -> {
          Random rnd = new Random(seed + id);
          try {
            for (int b = 0; b < blocks; b++) {
              if (rnd.nextBoolean()) {
                Thread.interrupted(); // sometimes start clean, sometimes with an interrupt pending
              }
              long at = ((long) b * writers + id) * blockSize;
              f.write(at, ByteBuffer.wrap(block(id, b, blockSize)));
              if (b % 50 == 49) {
                f.force();
              }
              int back = rnd.nextInt(b + 1); // read one of our own blocks back
              ByteBuffer got = ByteBuffer.allocate(blockSize);
              f.read(((long) back * writers + id) * blockSize, got);
              if (!Arrays.equals(block(id, back, blockSize), got.array())) {
                throw new AssertionError("writer " + id + " read back block " + back + " wrong");
              }
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
          Thread.interrupted();
        }));
      }
      Thread chaos = new Thread(() -> {
        Random rnd = new Random(seed);
        while (!done.get()) {
          threads.get(rnd.nextInt(writers)).interrupt();
          Thread.yield();
        }
      });
      threads.forEach(Thread::start);
      chaos.start();
      for (Thread t : threads) {
        t.join();
      }
      done.set(true);
      chaos.join();
      if (failure.get() != null) {
        throw new AssertionError("seed " + seed, failure.get());
      }
      f.force();
    }
    byte[] all = Files.readAllBytes(p);
    assertEquals((long) writers * blocks * blockSize, all.length);
    for (int b = 0; b < blocks; b++) {
      for (int w = 0; w < writers; w++) {
        int at = (b * writers + w) * blockSize;
        assertArrayEquals(block(w, b, blockSize), Arrays.copyOfRange(all, at, at + blockSize),
            "writer " + w + " block " + b + " (seed " + seed + ")");
      }
    }
  }

  private static byte[] block(int writer, int b, int size) {
    byte[] out = new byte[size];
    new Random(writer * 100_003L + b).nextBytes(out);
    return out;
  }

  @Test
  void aClosedFileIsNotReopenedByARetry() throws IOException {
    IoFile f = io.open(dir.resolve("f"));
    f.write(0, ByteBuffer.wrap(new byte[10]));
    f.close();
    assertThrows(ClosedChannelException.class, () -> f.write(0, ByteBuffer.wrap(new byte[10])));
    assertThrows(ClosedChannelException.class, () -> f.read(0, ByteBuffer.allocate(10)));
    assertThrows(IOException.class, f::force);
  }
}
