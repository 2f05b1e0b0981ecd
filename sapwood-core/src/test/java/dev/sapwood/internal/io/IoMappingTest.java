package dev.sapwood.internal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mapping ({@link IoFile#map}) behaves alike on disk and in memory: the file is extended with
 * zeros past every store (on disk a window at a time, not to the mapped size up front: a log
 * segment holding only its header stays one window long), a store reads back at once through the
 * file, cutting the file keeps
 * what was stored before the cut, and in memory a crash keeps only what was forced. On disk, the
 * zeros written ahead of the stores ({@link NioMapping#CHUNK}) never overwrite a stored byte, stores
 * read back across the mapping's windows ({@link NioMapping#WINDOW}), and the windows stores have
 * left are let go by the next force.
 */
class IoMappingTest {
  @TempDir Path dir;

  private static void storesReadBackAndTheTailIsZeros(IoFile f) throws IOException {
    IoMapping m = f.map(10_000);
    assertEquals(10_000, m.size());
    byte[] data = new byte[300];
    Arrays.fill(data, (byte) 7);
    ByteBuffer src = ByteBuffer.wrap(data);
    m.put(100, src);
    assertEquals(0, src.remaining(), "the source is consumed");
    assertEquals(10_000, f.size(), "the store's window (here the whole region) is in the file");
    ByteBuffer back = ByteBuffer.allocate(10_000);
    f.read(0, back);
    byte[] want = new byte[10_000];
    Arrays.fill(want, 100, 400, (byte) 7);
    assertArrayEquals(want, back.array());
    m.force();
    f.truncate(400);
    assertEquals(400, f.size());
  }

  @Test
  void aMappedFileOnDiskStoresAndExtendsWithZeros() throws IOException {
    NioFileIo io = new NioFileIo();
    try (IoFile f = io.open(dir.resolve("m"))) {
      storesReadBackAndTheTailIsZeros(f);
      IoMapping m = f.map(500);
      assertThrows(IllegalArgumentException.class, () -> m.put(490, ByteBuffer.allocate(20)));
    }
    try (IoFile f = io.openReadOnly(dir.resolve("m"))) {
      assertThrows(IOException.class, () -> f.map(100));
    }
  }

  @Test
  void aMappedFileInMemoryStoresExtendsWithZerosAndLosesUnforcedStoresAtACrash() throws IOException {
    MemoryFileIo io = new MemoryFileIo();
    Path p = Path.of("/m");
    try (IoFile f = io.open(p)) {
      storesReadBackAndTheTailIsZeros(f);
    }
    try (IoFile f = io.open(p)) {
      IoMapping m = f.map(400);
      m.put(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
      m.force();
      m.put(3, ByteBuffer.wrap(new byte[] {4}));
    }
    io.crash();
    byte[] after = io.contents(p);
    assertEquals(400, after.length);
    assertArrayEquals(new byte[] {1, 2, 3, 0}, Arrays.copyOfRange(after, 0, 4), "the unforced store is lost");
  }

  @Test
  void zerosWrittenAheadOfTheStoresNeverOverwriteAStoredByte() throws IOException {
    int chunk = NioMapping.CHUNK;
    int size = 6 * chunk + 1000;
    byte[] want = new byte[size];
    try (IoFile f = new NioFileIo().open(dir.resolve("z"))) {
      IoMapping m = f.map(size);
      int pos = 0;
      for (int i = 0; pos + 88 <= 2 * chunk + 500; i++) { // frames across two chunk boundaries
        store(m, want, pos, 88, (byte) (i + 1));
        pos += 88;
        if (i % 50 == 0) {
          m.force();
        }
      }
      store(m, want, 5 * chunk + 10, 200, (byte) 101); // far past the last: a gap of holes
      store(m, want, 3 * chunk + 7, 300, (byte) 102); // back into the gap
      store(m, want, pos, chunk + 40, (byte) 103); // on from the last frame, past a chunk
      store(m, want, size - 30, 30, (byte) 104); // up to the region's end
      ByteBuffer back = ByteBuffer.allocate(size);
      f.read(0, back);
      assertArrayEquals(want, back.array());
    }
  }

  @Test
  void twoThreadsStoringInterleavedSlotsKeepEachOthersBytes() throws Exception {
    int slot = 100;
    int slots = 8 * NioMapping.CHUNK / slot;
    byte[] want = new byte[slots * slot];
    try (IoFile f = new NioFileIo().open(dir.resolve("t"))) {
      IoMapping m = f.map(want.length);
      Thread[] threads = new Thread[2];
      IOException[] failed = new IOException[1];
      for (int t = 0; t < 2; t++) {
        int first = t;
        threads[t] = new Thread(() -> {
          try {
            for (int i = first; i < slots; i += 2) {
              byte[] b = new byte[slot];
              Arrays.fill(b, (byte) (1 + i % 120));
              m.put((long) i * slot, ByteBuffer.wrap(b));
            }
          } catch (IOException e) {
            failed[0] = e;
          }
        });
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(null, failed[0]);
      for (int i = 0; i < slots; i++) {
        Arrays.fill(want, i * slot, (i + 1) * slot, (byte) (1 + i % 120));
      }
      ByteBuffer back = ByteBuffer.allocate(want.length);
      f.read(0, back);
      assertArrayEquals(want, back.array());
    }
  }

  @Test
  void storesAcrossWindowsAndBackIntoLeftOnesReadBack() throws IOException {
    long seed = System.nanoTime();
    System.out.println("storesAcrossWindowsAndBackIntoLeftOnesReadBack seed " + seed);
    java.util.Random rnd = new java.util.Random(seed);
    int window = 2 * NioMapping.CHUNK;
    int size = 7 * window + 1234; // the last window is short
    byte[] want = new byte[size];
    try (IoFile f = new NioFileIo().open(dir.resolve("w"))) {
      f.map(size); // extends the file
      NioMapping m = new NioMapping((NioFile) f, size, window);
      int pos = 0;
      for (int i = 0; pos < size; i++) {
        int len = Math.min(size - pos, 1 + rnd.nextInt(3000));
        store(m, want, pos, len, (byte) (1 + i % 120));
        if (rnd.nextInt(8) == 0 && pos > 100) { // a staged record just behind the end, maybe a window back
          int back = pos - 1 - rnd.nextInt(Math.min(pos, 5000));
          store(m, want, back, Math.min(size - back, 1 + rnd.nextInt(200)), (byte) -(1 + i % 120));
        }
        if (rnd.nextInt(20) == 0) {
          m.force();
        }
        pos += len;
      }
      store(m, want, window - 10, 2 * window + 20, (byte) 121); // one store over three windows
      m.force();
      ByteBuffer back = ByteBuffer.allocate(size);
      f.read(0, back);
      assertArrayEquals(want, back.array(), "seed " + seed);
    }
  }

  /** A mapping of {@code f}'s first {@code size} bytes in windows of one chunk (few enough stores to count them). */
  private static NioMapping chunkWindows(IoFile f, int size) throws IOException {
    f.map(size);
    return new NioMapping((NioFile) f, size, NioMapping.CHUNK);
  }

  @Test
  void windowsStoresLeftAreDroppedByTheNextForce() throws IOException {
    int window = NioMapping.CHUNK;
    int size = 10 * window;
    try (IoFile f = new NioFileIo().open(dir.resolve("d"))) {
      NioMapping m = chunkWindows(f, size);
      byte[] b = new byte[1000];
      for (int pos = 0; pos + b.length <= size; pos += b.length) {
        m.put(pos, ByteBuffer.wrap(b));
      }
      assertEquals(10, m.windowsHeld(), "every window stored into is held until a force");
      m.force();
      assertEquals(2, m.windowsHeld(), "after a force: the window stored into and the one before it");
      m.put(0, ByteBuffer.wrap(b)); // back to the first window: mapped again
      assertEquals(3, m.windowsHeld());
      m.force();
      assertEquals(2, m.windowsHeld());
    }
  }

  @Test
  void onDiskTheFileGrowsByTheWindowsStoredIntoNotToTheMappedSize() throws IOException {
    long size = 64L << 20; // a log segment's mapping
    try (IoFile f = new NioFileIo().open(dir.resolve("g"))) {
      IoMapping m = f.map(size);
      assertEquals(0, f.size(), "mapping alone extends nothing");
      m.put(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
      assertEquals(NioMapping.WINDOW, f.size(), "a header stored: one window");
      m.put(5L * NioMapping.WINDOW + 10, ByteBuffer.wrap(new byte[] {9}));
      assertEquals(6L * NioMapping.WINDOW, f.size(), "a store further on: up to the end of its window");
      m.force();
      ByteBuffer back = ByteBuffer.allocate(3);
      f.read(0, back);
      assertArrayEquals(new byte[] {1, 2, 3}, back.array());
      ByteBuffer one = ByteBuffer.allocate(1);
      f.read(5L * NioMapping.WINDOW + 10, one);
      assertEquals(9, one.get(0));
    }
  }

  /** Stores {@code len} bytes of {@code value}: through a buffer if it is even, else from the middle of an array. */
  private static void store(IoMapping m, byte[] model, int at, int len, byte value) throws IOException {
    if (value % 2 == 0) {
      byte[] b = new byte[len];
      Arrays.fill(b, value);
      m.put(at, ByteBuffer.wrap(b));
    } else {
      byte[] b = new byte[len + 10];
      Arrays.fill(b, (byte) 99);
      Arrays.fill(b, 3, 3 + len, value);
      m.put(at, b, 3, len);
    }
    Arrays.fill(model, at, at + len, value);
  }

  @Test
  void anArraySliceStoresJustItsBytesOnDiskAndInMemory() throws IOException {
    byte[] src = {9, 9, 1, 2, 3, 9};
    for (IoFile f : new IoFile[] {new NioFileIo().open(dir.resolve("a")), new MemoryFileIo().open(Path.of("/a"))}) {
      try (f) {
        IoMapping m = f.map(100);
        m.put(50, src, 2, 3);
        ByteBuffer back = ByteBuffer.allocate(100);
        f.read(0, back);
        byte[] want = new byte[100];
        want[50] = 1;
        want[51] = 2;
        want[52] = 3;
        assertArrayEquals(want, back.array(), f.name());
        assertThrows(IllegalArgumentException.class, () -> m.put(98, src, 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> m.put(0, src, 4, 3));
      }
    }
  }
}
