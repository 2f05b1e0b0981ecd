package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.wal.LogBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code Options.logCompression}: each open chooses how its log segments are written, a segment
 * says which it is, and recovery after a killed process replays either kind whatever the next
 * open chooses.
 */
class LogCompressionOptionTest {
  private static final Path DIR = Path.of("/db");

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Puts {@code count} keys from {@code from} (ASYNC: in the OS once put returns), then the process dies. */
  private static MemoryFileIo putAndKill(MemoryFileIo io, boolean compress, int from, int count) {
    DatabaseImpl db = TestSeams.open(DIR, Options.defaults().logCompression(compress), io);
    Tree t = db.tree("t");
    for (int i = from; i < from + count; i++) {
      t.put(b("key" + i), b("value" + i));
    }
    TestSeams.halt(db);
    // A killed process: the OS keeps what was written, the lock goes with the process.
    MemoryFileIo after = new MemoryFileIo();
    for (Path dir : new Path[] {DIR, DIR.resolve(DatabaseOpener.WAL_DIR)}) {
      for (Path f : io.list(dir)) {
        after.setContents(f, io.contents(f));
      }
    }
    return after;
  }

  private static boolean lastSegmentCompressed(MemoryFileIo io) {
    Path last = null;
    for (Path f : io.list(DIR.resolve(DatabaseOpener.WAL_DIR))) {
      if (last == null || f.getFileName().toString().compareTo(last.getFileName().toString()) > 0) {
        last = f;
      }
    }
    return LogBytes.isCompressed(io.contents(last));
  }

  private static void assertAll(MemoryFileIo io, boolean compress, int count) {
    DatabaseImpl db = TestSeams.open(DIR, Options.defaults().logCompression(compress), io);
    try {
      Tree t = db.tree("t");
      for (int i = 0; i < count; i++) {
        assertArrayEquals(b("value" + i), t.get(b("key" + i)), "key" + i);
      }
    } finally {
      db.close();
    }
  }

  @Test
  void anUncompressedLogAndACompressedOneAreEachReplayedWhateverTheNextOpenChooses() {
    MemoryFileIo io = putAndKill(new MemoryFileIo(), false, 0, 300);
    assertFalse(lastSegmentCompressed(io), "logCompression(false) writes plain segments");
    io = putAndKill(io, true, 300, 300); // recovers the plain log, then writes a compressed one
    assertTrue(lastSegmentCompressed(io), "logCompression(true) writes compressed segments");
    assertAll(io, false, 600);
    io = putAndKill(io, false, 600, 300);
    assertAll(io, true, 900);
  }
}
