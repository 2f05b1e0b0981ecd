package dev.sapwood.internal.store;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A tail relocation copies each block through one array lent again from move to move (larger
 * blocks before smaller ones, so a move reads into an array longer than its block): every block
 * keeps exactly its bytes and its size, before and after a reopen, and the moves make at most one
 * array between them.
 */
class TailRelocatorCopiesTest {
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path path = Path.of("/db/copies.sap");

  @Test
  void movesReuseOneCopyAndKeepEachBlocksExactBytes() {
    int n = 24;
    long[] b = new long[n];
    byte[][] data = new byte[n][];
    try (BlockFile f = BlockFile.create(io, path, HeaderSlotTest.SETTINGS)) {
      for (int i = 0; i < n; i++) {
        b[i] = f.allocateBlockNumber();
        // the blocks kept (the upper half) shrink towards the end: the highest, moved first, is the largest
        data[i] = new byte[i < n / 2 ? 9000 : 30_000 - 1000 * (i - n / 2)];
        for (int k = 0; k < data[i].length; k++) {
          data[i][k] = (byte) (i * 31 + k);
        }
        f.writeBlock(b[i], data[i], 0, data[i].length);
      }
      f.checkpoint(b[n - 1], 0, 0);
      for (int i = 0; i < n / 2; i++) {
        f.freeBlockNumber(b[i]);
      }
      f.checkpoint(b[n - 1], 0, 0);
      f.checkpoint(b[n - 1], 0, 0);
      long madeBefore = TailRelocator.copiesMade();
      long moved = f.relocateTail(Long.MAX_VALUE);
      long made = TailRelocator.copiesMade() - madeBefore;
      assertTrue(moved > 30_000, "several blocks moved (" + moved + " bytes)");
      assertTrue(made <= 1, made + " arrays made for the moves' copies");
      for (int i = n / 2; i < n; i++) {
        assertArrayEquals(data[i], f.readBlock(b[i]), "block " + i + " after the moves");
      }
      f.checkpoint(b[n - 1], 0, 0);
    }
    try (BlockFile f = BlockFile.open(io, path)) {
      for (int i = n / 2; i < n; i++) {
        assertArrayEquals(data[i], f.readBlock(b[i]), "block " + i + " after reopen");
        assertEquals(data[i].length, f.readBlock(b[i]).length);
      }
    }
  }
}
