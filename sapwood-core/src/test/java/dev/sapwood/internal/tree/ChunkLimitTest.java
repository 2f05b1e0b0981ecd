package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A chunk read with a limit stops after that many live entries and says where to go on. */
class ChunkLimitTest {
  private static byte[] key(int i) {
    return String.format("key%05d", i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void limitedChunksReadTheSameEntriesAsWholeOnes() {
    BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/chunks.sap"),
        new Header.Settings(16 << 10, 4 << 10, 4, Compressors.LZ4));
    TreeContext ctx = new TreeContext(file, 64 << 20, 16 << 10, 4 << 10, 4, Compressors.LZ4, name -> null, 0, new Counters());
    BeTree tree = new BeTree(ctx, BeTree.create(ctx));
    TreeMap<String, String> model = new TreeMap<>();
    Random rnd = new Random(42);
    for (int i = 0; i < 3000; i++) {
      int k = rnd.nextInt(2000);
      if (rnd.nextInt(4) == 0) {
        tree.delete(key(k));
        model.remove(new String(key(k), StandardCharsets.UTF_8));
      } else {
        tree.put(key(k), ("v" + i).getBytes(StandardCharsets.UTF_8));
        model.put(new String(key(k), StandardCharsets.UTF_8), "v" + i);
      }
    }
    Chunk kept = new Chunk();
    kept.emit(key(1), 0, key(1).length, key(2), 0, key(2).length); // stale: a read into it must drop it
    for (boolean reuse : new boolean[] {false, true}) { // reuse: every chunk read into one kept chunk
      for (int limit : new int[] {1, 3, 16}) {
        List<String> seen = new ArrayList<>();
        byte[] from = key(137);
        while (true) {
          Chunk c = reuse ? tree.readForward(from, null, limit, Long.MAX_VALUE, kept) : tree.readForward(from, limit);
          assertTrue(c.size() <= limit, "chunk of " + c.size() + " over its limit " + limit);
          for (int i = 0; i < c.size(); i++) {
            seen.add(new String(c.key(i), StandardCharsets.UTF_8) + "=" + new String(c.value(i), StandardCharsets.UTF_8));
          }
          if (c.atEnd()) {
            break;
          }
          from = c.next();
        }
        List<String> expected = new ArrayList<>();
        model.tailMap(new String(key(137), StandardCharsets.UTF_8), true).forEach((k, v) -> expected.add(k + "=" + v));
        assertEquals(expected, seen, "limit " + limit + (reuse ? ", one chunk read into again" : ""));
      }
    }
    file.close();
  }
}
