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
 * zeros to the mapped size, a store reads back at once through the file, cutting the file keeps
 * what was stored before the cut, and in memory a crash keeps only what was forced.
 */
class IoMappingTest {
  @TempDir Path dir;

  private static void storesReadBackAndTheTailIsZeros(IoFile f) throws IOException {
    IoMapping m = f.map(10_000);
    assertEquals(10_000, m.size());
    assertEquals(10_000, f.size());
    byte[] data = new byte[300];
    Arrays.fill(data, (byte) 7);
    ByteBuffer src = ByteBuffer.wrap(data);
    m.put(100, src);
    assertEquals(0, src.remaining(), "the source is consumed");
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
}
