package dev.sapwood.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MemoryFileIoTest {
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path path = Path.of("/db/a.sap");

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String read(IoFile f, long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len);
    int n = f.read(pos, b);
    return n < 0 ? null : new String(b.array(), 0, n, StandardCharsets.UTF_8);
  }

  @Test
  void writesAreReadBackAndGapsAreZero() throws IOException {
    try (IoFile f = io.open(path)) {
      f.write(4, bytes("abc"));
      assertEquals(7, f.size());
      assertEquals("\0\0\0\0abc", read(f, 0, 10));
      assertNull(read(f, 7, 3));
      f.truncate(5);
      assertEquals("\0a", read(f, 3, 10));
      f.write(7, bytes("z"));
      assertEquals("a\0\0z", read(f, 4, 10), "bytes past a truncation must not come back");
    }
    assertTrue(io.exists(path));
    io.delete(path);
    assertFalse(io.exists(path));
  }

  @Test
  void crashRevertsToTheLastForcedContents() throws IOException {
    IoFile f = io.open(path);
    f.write(0, bytes("durable"));
    f.force();
    f.write(0, bytes("LOST!!!-and-more"));
    assertEquals("LOST!!!-and-more", read(f, 0, 100));
    io.crash();
    assertThrows(IOException.class, () -> f.write(0, bytes("x")), "handles die in a crash");
    try (IoFile g = io.open(path)) {
      assertEquals("durable", read(g, 0, 100));
      assertTrue(g.tryLock(), "a crash releases locks");
    }
  }

  @Test
  void secondLockOnTheSamePathFailsUntilTheHolderCloses() throws IOException {
    IoFile a = io.open(path);
    IoFile b = io.open(path);
    assertTrue(a.tryLock());
    assertTrue(a.tryLock(), "the holder may ask again");
    assertFalse(b.tryLock());
    a.close();
    assertTrue(b.tryLock());
    b.close();
  }
}
