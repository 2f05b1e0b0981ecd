package dev.sapwood.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A held checkpoint is copied as it was, however much is rewritten, freed, relocated and
 * checkpointed between the hold and the copy; after the hold is let go, the space is reused.
 */
class CheckpointCopyTest {
  private static final Header.Settings SETTINGS = HeaderSlotTest.SETTINGS;
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path path = Path.of("/db/sapwood.db");

  @Test
  void theHeldCheckpointIsCopiedIntactThoughEveryBlockIsRewrittenAndCheckpointedMeanwhile() throws Exception {
    Random r = new Random(7);
    int n = 40;
    long[] numbers = new long[n];
    byte[][] held = new byte[n][];
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      for (int i = 0; i < n; i++) {
        numbers[i] = f.allocateBlockNumber();
        held[i] = bytes(r, 1 + r.nextInt(20_000));
        f.writeBlock(numbers[i], held[i], 0, held[i].length);
      }
      f.checkpoint(numbers[0], 11, 22);
      long count = f.header().checkpointCount();
      try (CheckpointCopy copy = f.holdLastCheckpoint()) {
        for (int round = 0; round < 5; round++) {
          for (int i = 0; i < n; i++) {
            if (i % 7 == 3 && round == 0) {
              f.freeBlockNumber(numbers[i]);
              numbers[i] = f.allocateBlockNumber();
            }
            byte[] next = bytes(r, 1 + r.nextInt(20_000));
            f.writeBlock(numbers[i], next, 0, next.length);
          }
          f.relocateTail(Long.MAX_VALUE);
          f.checkpoint(numbers[0], 11, 22);
        }
        try (IoFile target = io.open(Path.of("/copy/sapwood.db"))) {
          copy.copyTo(target);
        }
        assertEquals(count, copy.header().checkpointCount());
      }
      long pending = f.counters().get("store.pending_free_bytes");
      f.checkpoint(numbers[0], 11, 22);
      assertTrue(f.counters().get("store.pending_free_bytes") < pending / 2,
          "after the hold, the next checkpoint releases the space it kept: " + pending + " bytes pending before, "
              + f.counters());
    }
    try (BlockFile c = BlockFile.open(io, Path.of("/copy/sapwood.db"))) {
      assertEquals(n, c.mappedBlocks().length);
      assertEquals(22, c.header().checkpointLsn());
      long[] mapped = c.mappedBlocks();
      Arrays.sort(mapped);
      for (int i = 0; i < n; i++) {
        assertArrayEquals(held[i], c.readBlock(i + 1L), "block " + (i + 1));
      }
    }
  }

  @Test
  void aClosedCopyCopiesNothing() throws Exception {
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      CheckpointCopy copy = f.holdLastCheckpoint();
      copy.close();
      copy.close(); // idempotent: the hold is let go once
      try (IoFile target = io.open(Path.of("/copy/sapwood.db"))) {
        assertThrows(IllegalStateException.class, () -> copy.copyTo(target));
      }
    }
  }

  private static byte[] bytes(Random r, int len) {
    byte[] b = new byte[len];
    r.nextBytes(b);
    return b;
  }
}
