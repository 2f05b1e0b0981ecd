package dev.sapwood.internal.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared and exclusive locks, and read-only handles, behave alike on the real file system (where
 * this process's shared holders join one lock) and in memory.
 */
class SharedLockTest {
  @TempDir Path tmp;

  private void sharedLocksAreSharedAndExcludeTheExclusiveOne(FileIo io, Path p) throws IOException {
    io.open(p).close();
    IoFile a = io.openReadOnly(p);
    IoFile b = io.openReadOnly(p);
    assertTrue(a.tryLockShared());
    assertTrue(b.tryLockShared(), "a second shared holder");
    try (IoFile w = io.open(p)) {
      assertFalse(w.tryLock(), "an exclusive lock while shared holders have it");
    }
    a.close();
    try (IoFile w = io.open(p)) {
      assertFalse(w.tryLock(), "one shared holder is left");
    }
    b.close();
    try (IoFile w = io.open(p)) {
      assertTrue(w.tryLock(), "the last shared holder let go");
      try (IoFile r = io.openReadOnly(p)) {
        assertFalse(r.tryLockShared(), "a shared lock while the exclusive holder has it");
      }
    }
  }

  private void readOnlyHandlesRefuseWrites(FileIo io, Path p) throws IOException {
    try (IoFile f = io.openReadOnly(p)) {
      assertThrows(IOException.class, () -> f.write(0, ByteBuffer.wrap(new byte[1])));
      assertThrows(IOException.class, () -> f.truncate(0));
      assertThrows(IOException.class, f::force);
      assertThrows(IOException.class, f::tryLock);
    }
    assertThrows(NoSuchFileException.class, () -> io.openReadOnly(p.resolveSibling("absent")));
  }

  @Test
  void onTheRealFileSystem() throws IOException {
    Path p = tmp.resolve("LOCK");
    NioFileIo io = new NioFileIo();
    sharedLocksAreSharedAndExcludeTheExclusiveOne(io, p);
    readOnlyHandlesRefuseWrites(io, p);
    assertTrue(Files.exists(p));
    assertTrue(List.of(tmp.toFile().list()).contains("LOCK"));
  }

  @Test
  void inMemory() throws IOException {
    Path p = Path.of("/m/LOCK");
    MemoryFileIo io = new MemoryFileIo();
    sharedLocksAreSharedAndExcludeTheExclusiveOne(io, p);
    readOnlyHandlesRefuseWrites(io, p);
  }
}
