package dev.sapwood.internal.engine;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.StorageException;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.ForwardingFileIo;
import dev.sapwood.internal.io.ForwardingIoFile;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.NioFileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup whose own files fail — a write, an fsync, a directory fsync, the rename — throws a
 * {@link StorageException}, leaves nothing at the target nor beside it, and leaves the database
 * usable: it takes writes and checkpoints, and reopens with everything.
 */
class BackupFaultTest {
  @TempDir Path tmp;

  /** Fails the chosen operation on the backup's files (those under a {@code .backup-} directory). */
  static final class FailingBackupIo extends ForwardingFileIo {
    final String what;
    final int nth;
    int seen;

    FailingBackupIo(String what, int nth) {
      super(new NioFileIo());
      this.what = what;
      this.nth = nth;
    }

    boolean fail(String op, String name) {
      return op.equals(what) && name.contains(".backup-") && ++seen == nth;
    }

    @Override
    protected IoFile wrap(IoFile file) {
      return new ForwardingIoFile(file) {
        @Override
        public void write(long position, ByteBuffer src) throws IOException {
          if (fail("write", name())) {
            throw new IOException("injected: no space left on device");
          }
          super.write(position, src);
        }

        @Override
        public void force() throws IOException {
          if (fail("fsync", name())) {
            throw new IOException("injected: fsync failed");
          }
          super.force();
        }
      };
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
      if (fail("dirsync", dir.toString())) {
        throw new IOException("injected: directory fsync failed");
      }
      super.syncDirectory(dir);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
      if (fail("rename", from.toString())) {
        throw new IOException("injected: rename failed");
      }
      super.rename(from, to);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"write:1", "write:3", "fsync:1", "fsync:2", "dirsync:1", "dirsync:2", "rename:1"})
  void aFailedBackupReportsTheFailureAndLeavesTheDatabaseUsable(String fault) throws Exception {
    String[] f = fault.split(":");
    FailingBackupIo io = new FailingBackupIo(f[0], Integer.parseInt(f[1]));
    Path dir = tmp.resolve("db");
    Path target = tmp.resolve("copy");
    Options options = Options.defaults().nodeSize(4 << 10).basementSize(1 << 10).fanout(4);
    try (Database db = TestSeams.open(dir, options, io)) {
      Tree t = db.tree("t");
      for (int i = 0; i < 2000; i++) {
        t.put(key(i), ("v" + i).getBytes(US_ASCII));
      }
      StorageException e = assertThrows(StorageException.class, () -> db.backup(target));
      assertTrue(e.getMessage().contains("backup to " + target), e.getMessage());
      assertTrue(io.seen >= io.nth, "the fault fired");
      try (Stream<Path> left = Files.list(tmp)) {
        assertEquals(List.of("db"), left.map(p -> p.getFileName().toString()).toList(),
            "neither the target nor a temporary directory is left");
      }
      t.put(key(5000), "after".getBytes(US_ASCII)); // the database takes writes and checkpoints
      db.checkpoint();
      db.backup(target); // and the next backup works (the fault fired once)
    }
    for (Path p : new Path[] {dir, target}) {
      try (Database db = Database.open(p)) {
        Tree t = db.tree("t");
        for (int i = 0; i < 2000; i++) {
          assertArrayEquals(("v" + i).getBytes(US_ASCII), t.get(key(i)), p + " key " + i);
        }
        assertArrayEquals("after".getBytes(US_ASCII), t.get(key(5000)));
      }
    }
  }

  private static byte[] key(int i) {
    return String.format("k%06d", i).getBytes(US_ASCII);
  }
}
