package dev.sapwood.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NioFileIoTest {
  @TempDir Path dir;
  private final NioFileIo io = new NioFileIo();

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
}
