package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Options;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.tree.Chunk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A bounded cursor's reads stop at the range's end: the chunk holds only keys inside it and says
 * it is at the end, so the cursor reads nothing past the range (not the rest of the basement, not
 * the next one).
 */
class BoundedChunkReadTest {
  private static byte[] key(int i) {
    return String.format("k%05d", i).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void boundedReadsApplyNothingPastTheirStop() {
    Options o = Options.defaults().nodeSize(64 << 10).basementSize(32 << 10).cacheSize(4 << 20);
    try (DatabaseImpl db = TestSeams.open(Path.of("/db"), o, new MemoryFileIo())) {
      TreeImpl t = (TreeImpl) db.tree("t");
      for (int i = 0; i < 1000; i++) {
        t.put(key(i), new byte[8]);
      }
      db.checkpoint();
      t.delete(key(105)); // buffered, inside the range
      Chunk unbounded = t.beTree().readForward(key(100), Integer.MAX_VALUE);
      assertTrue(unbounded.size() > 20, "the basement holds more than the range: " + unbounded.size());

      Chunk fwd = t.beTree().readForward(key(100), key(110), Integer.MAX_VALUE);
      assertEquals(9, fwd.size(), "keys 100..109 without the deleted 105");
      assertArrayEquals(key(109), fwd.key(8));
      assertTrue(fwd.atEnd(), "the read reached the range's end");

      Chunk bwd = t.beTree().readBackward(key(110), key(100));
      assertEquals(9, bwd.size());
      assertArrayEquals(key(100), bwd.key(0));
      assertTrue(bwd.atEnd(), "the read reached the range's start");

      Chunk limited = t.beTree().readForward(key(100), key(110), 3);
      assertEquals(3, limited.size());
      assertFalse(limited.atEnd());
      Chunk lastThree = t.beTree().readForward(key(107), key(110), 3);
      assertEquals(3, lastThree.size());
      Chunk after = t.beTree().readForward(lastThree.next(), key(110), 3);
      assertEquals(0, after.size());
      assertTrue(after.atEnd(), "the read after the range's last key is empty and at the end");
    }
  }
}
