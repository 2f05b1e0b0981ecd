package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A read-only open of a database whose writer died with changes only in the log: they are
 * replayed in memory (readers see them), kept in the cache past its budget rather than written
 * back, and no file changes — not the block file, not the log (a torn tail is left for the next
 * writer); a read-write open afterwards recovers as usual.
 */
class ReadOnlyRecoveryTest {
  private static final Path DIR = Path.of("/db");

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.US_ASCII);
  }

  private static Map<String, byte[]> files(MemoryFileIo io) {
    Map<String, byte[]> m = new TreeMap<>();
    for (Path p : io.list(DIR)) {
      m.put(p.toString(), io.contents(p));
    }
    for (Path p : io.list(DIR.resolve(DatabaseOpener.WAL_DIR))) {
      m.put(p.toString(), io.contents(p));
    }
    return m;
  }

  @Test
  void theLogIsReplayedInMemoryOnlyAndTheFilesAreLeftAsTheyAre() {
    MemoryFileIo io = new MemoryFileIo();
    Options small = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).fanout(4)
        .cacheSize(Options.MIN_CACHE_SIZE);
    DatabaseImpl writer = TestSeams.open(DIR, small, io);
    Tree t = writer.tree("t");
    byte[] value = new byte[100];
    for (int i = 0; i < 3000; i++) { // about 330 KB: several times the cache
      value[0] = (byte) i;
      t.put(key(i), value);
    }
    writer.sync();
    TestSeams.halt(writer);
    io.crash(); // the writer died: everything is in the synced log, nothing past the first checkpoint
    Path lastSegment = io.list(DIR.resolve(DatabaseOpener.WAL_DIR)).stream().max(Path::compareTo).orElseThrow();
    byte[] log = io.written(lastSegment);
    log = Arrays.copyOf(log, dev.sapwood.internal.wal.LogBytes.framesEnd(log)); // not the stale staged frames past them
    byte[] torn = Arrays.copyOf(log, log.length + 100); // and left a torn tail (not zeros: those
    Arrays.fill(torn, log.length, torn.length, (byte) 0x5a); // end a preallocated segment)
    io.setContents(lastSegment, torn);
    Map<String, byte[]> before = files(io);

    try (DatabaseImpl reader = TestSeams.open(DIR, small.readOnly(true), io)) {
      Tree r = reader.findTree("t").orElseThrow();
      for (int i = 0; i < 3000; i += 7) {
        value[0] = (byte) i;
        assertArrayEquals(value, r.get(key(i)), "key " + i);
      }
      assertTrue(reader.stats().get("recovery.records_replayed") >= 3000, reader.stats().toString());
      assertEquals(0, reader.stats().get("cache.evicted_dirty_writes"), "a dirty node was written back");
      assertEquals(100, reader.stats().get("recovery.torn_bytes"), "the torn tail was seen (and left)");
    }
    Map<String, byte[]> after = files(io);
    assertEquals(before.keySet(), after.keySet());
    for (String f : before.keySet()) {
      assertTrue(Arrays.equals(before.get(f), after.get(f)), f + " changed");
    }

    try (DatabaseImpl again = TestSeams.open(DIR, small, io)) {
      value[0] = (byte) 2999;
      assertArrayEquals(value, again.tree("t").get(key(2999)), "a read-write open recovers as before");
      assertEquals(100, again.stats().get("recovery.torn_bytes"), "and cuts the torn tail");
    }
  }
}
