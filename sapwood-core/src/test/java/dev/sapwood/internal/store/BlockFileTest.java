package dev.sapwood.internal.store;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.io.NioFileIo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockFileTest {
  private static final Header.Settings SETTINGS = HeaderSlotTest.SETTINGS;
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path path = Path.of("/db/t.sap");

  static byte[] block(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void createWritesAnEmptyCheckpointZero() {
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      assertEquals(0, f.header().checkpointCount());
      assertEquals(FormatVersion.CURRENT, f.header().formatVersion());
      assertEquals(path.toString(), f.name());
    }
    io.crash(); // create is durable
    try (BlockFile f = BlockFile.open(io, path)) {
      assertEquals(0, f.header().checkpointCount());
      assertEquals(SETTINGS, f.header().settings());
      assertEquals(1, f.allocateBlockNumber());
    }
    assertThrows(IllegalStateException.class, () -> BlockFile.create(io, path, SETTINGS));
  }

  @Test
  void blocksSurviveCheckpointAndReopen() {
    Map<Long, byte[]> expected = new HashMap<>();
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      for (int i = 0; i < 20; i++) {
        long b = f.allocateBlockNumber();
        byte[] data = block(100 + i * 997, i);
        f.writeBlock(b, data, 0, data.length);
        expected.put(b, data);
      }
      f.checkpoint(3, 77, 88);
      assertEquals(1, f.header().checkpointCount());
    }
    try (BlockFile f = BlockFile.open(io, path)) {
      assertEquals(3, f.header().catalogBlock());
      assertEquals(77, f.header().maxMsn());
      assertEquals(88, f.header().checkpointLsn());
      for (Map.Entry<Long, byte[]> e : expected.entrySet()) {
        assertTrue(f.isMapped(e.getKey()));
        assertEquals(e.getValue().length, f.blockSize(e.getKey()));
        assertArrayEquals(e.getValue(), f.readBlock(e.getKey()));
        assertEquals(0, f.blockOffset(e.getKey()) % BlockFileFormat.ALIGNMENT);
      }
      byte[] part = new byte[10];
      f.readBlock(2, 50, part, 0, 10);
      assertArrayEquals(Arrays.copyOfRange(expected.get(2L), 50, 60), part);
      assertEquals(21, f.allocateBlockNumber());
    }
  }

  @Test
  void copyOnWriteKeepsTheCheckpointedCopyUntilTheNextCheckpoint() {
    byte[] v1 = block(5000, 1);
    byte[] v2 = block(5000, 2);
    BlockFile f = BlockFile.create(io, path, SETTINGS);
    long b = f.allocateBlockNumber();
    f.writeBlock(b, v1, 0, v1.length);
    f.checkpoint(b, 1, 1);
    long offsetV1 = f.blockOffset(b);
    f.writeBlock(b, v2, 0, v2.length);
    assertNotEquals(offsetV1, f.blockOffset(b), "a rewrite goes to fresh space");
    long c = f.allocateBlockNumber();
    f.writeBlock(c, v2, 0, v2.length);
    assertNotEquals(offsetV1, f.blockOffset(c), "the checkpointed extent is not reused yet");
    assertArrayEquals(v2, f.readBlock(b));
    io.crash();
    try (BlockFile g = BlockFile.open(io, path)) {
      assertArrayEquals(v1, g.readBlock(b));
      assertEquals(offsetV1, g.blockOffset(b));
      assertFalse(g.isMapped(c), "written after the checkpoint: lost in the crash");
    }
  }

  @Test
  void spaceOfAnUncheckpointedBlockIsReusedAtOnce() {
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      long b = f.allocateBlockNumber();
      f.writeBlock(b, new byte[100], 0, 100);
      long first = f.blockOffset(b);
      f.writeBlock(b, new byte[100], 0, 100);
      long c = f.allocateBlockNumber();
      f.writeBlock(c, new byte[100], 0, 100);
      assertEquals(first, f.blockOffset(c));
    }
  }

  @Test
  void freedCheckpointedSpaceIsReusableOnceNoHeaderSlotRefersToItAndTheTailIsTruncated() {
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      long[] b = new long[10];
      for (int i = 0; i < b.length; i++) {
        b[i] = f.allocateBlockNumber();
        f.writeBlock(b[i], new byte[10_000], 0, 10_000);
      }
      f.checkpoint(b[0], 0, 0);
      long big = f.fileSize();
      long offset9 = f.blockOffset(b[9]);
      for (int i = 1; i < b.length; i++) {
        f.freeBlockNumber(b[i]);
      }
      assertFalse(f.isMapped(b[9]));
      assertEquals(b[9], f.allocateBlockNumber() + 8, "the lowest freed number comes back first");
      assertEquals(big, f.fileSize(), "nothing released before the checkpoint");
      assertTrue(f.counters().get("store.pending_free_bytes") >= 9 * 12_288);
      f.checkpoint(b[0], 0, 0);
      assertTrue(f.fileSize() >= big, "the older header slot still refers to the freed blocks");
      assertTrue(f.counters().get("store.pending_free_bytes") >= 9 * 12_288);
      // The freed space is released two checkpoints after the last one that used it; the tables
      // written meanwhile sit at the end and move down as the space below frees up.
      int checkpoints = 0;
      while (f.fileSize() >= offset9 && checkpoints < 5) {
        f.checkpoint(b[0], 0, 0);
        checkpoints++;
      }
      assertTrue(f.fileSize() < offset9, "free tail truncated: " + f.fileSize());
      assertTrue(checkpoints >= 2, "released no sooner than two checkpoints on: " + checkpoints);
      assertEquals(8192, f.counters().get("store.pending_free_bytes"),
          "only the tables of the two checkpoints the header slots describe wait");
      assertEquals(f.fileSize(), f.counters().get("store.file_bytes"));
    }
    try (BlockFile f = BlockFile.open(io, path)) {
      assertEquals(1, f.counters().get("store.blocks"));
      assertEquals(2, f.allocateBlockNumber(), "unmapped numbers are free after reopen");
    }
  }

  @Test
  void readingAnUnmappedBlockIsCorruptionAndAskingItsSizeIsAnIllegalArgument() {
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      long b = f.allocateBlockNumber();
      CorruptionException e = assertThrows(CorruptionException.class, () -> f.readBlock(b));
      assertTrue(e.getMessage().contains("block " + b), e.getMessage());
      assertThrows(CorruptionException.class, () -> f.readBlock(999));
      assertThrows(IllegalArgumentException.class, () -> f.blockSize(b));
      assertThrows(IllegalArgumentException.class, () -> f.blockOffset(b));
      assertThrows(IllegalArgumentException.class,
          () -> f.writeBlock(999, new byte[1], 0, 1), "never allocated");
      f.freeBlockNumber(b);
      assertThrows(IllegalArgumentException.class, () -> f.writeBlock(b, new byte[1], 0, 1));
      assertThrows(IllegalArgumentException.class, () -> f.freeBlockNumber(b));
    }
  }

  @Test
  void readsOutsideTheBlockAreCorruptionNamingFileBlockAndOffset() {
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      long b = f.allocateBlockNumber();
      f.writeBlock(b, new byte[100], 0, 100);
      byte[] dst = new byte[1000];
      f.readBlock(b, 90, dst, 0, 10);
      for (int[] bad : new int[][] {{91, 10}, {0, 101}, {-1, 5}, {0, -1},
          {Integer.MAX_VALUE, 10}}) {
        CorruptionException e = assertThrows(CorruptionException.class,
            () -> f.readBlock(b, bad[0], dst, 0, bad[1]), Arrays.toString(bad));
        assertEquals(f.blockOffset(b), e.offset());
        assertTrue(e.getMessage().contains(path.toString()) && e.getMessage().contains("block "
            + b), e.getMessage());
      }
      assertThrows(IndexOutOfBoundsException.class, () -> f.readBlock(b, 0, dst, 995, 10));
    }
  }

  @Test
  void aTruncatedFileIsCorruptionOnReadAndOnOpen() {
    long b;
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      b = f.allocateBlockNumber();
      f.writeBlock(b, new byte[3000], 0, 3000);
      f.checkpoint(b, 0, 0);
      long tableEnd = f.header().blockTableOffset() + f.header().blockTableSize();
      assertTrue(f.blockOffset(b) + 3000 < tableEnd, "block before the table");
    }
    byte[] whole = io.contents(path);
    // Cut inside the block table: open must fail.
    io.setContents(path, Arrays.copyOf(whole, whole.length - 1));
    assertThrows(CorruptionException.class, () -> BlockFile.open(io, path));
    // A block cut short under an open file: the read fails, it does not return zeros.
    io.setContents(path, whole);
    try (BlockFile f = BlockFile.open(io, path)) {
      long end = f.blockOffset(b) + 1000;
      byte[] cut = Arrays.copyOf(whole, (int) end);
      io.setContents(path, cut);
      CorruptionException e = assertThrows(CorruptionException.class, () -> f.readBlock(b));
      assertTrue(e.getMessage().contains("block " + b), e.getMessage());
      // A get's ranged read names its block too (the name is built only when the read fails).
      CorruptionException r = assertThrows(CorruptionException.class, () -> f.readBlock(b, 0, new byte[3000], 0, 3000));
      assertTrue(r.getMessage().contains("block " + b + " is cut short"), r.getMessage());
    }
  }

  @Test
  void worksOnARealFile(@TempDir Path dir) {
    Path p = dir.resolve("real.sap");
    NioFileIo nio = new NioFileIo();
    byte[] data = block(10_000, 9);
    long b;
    try (BlockFile f = BlockFile.create(nio, p, SETTINGS)) {
      b = f.allocateBlockNumber();
      f.writeBlock(b, data, 0, data.length);
      f.checkpoint(b, 5, 6);
      assertTrue(f.counters().get("io.fsyncs") >= 5);
    }
    try (BlockFile f = BlockFile.open(nio, p)) {
      assertArrayEquals(data, f.readBlock(b));
      assertEquals(1, f.header().checkpointCount());
    }
  }

  @Test
  void relocatingTheTailMovesBlocksDownKeepsTheirBytesAndLetsTheFileShrink() {
    long[] b = new long[20];
    byte[][] data = new byte[b.length][];
    long before;
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      for (int i = 0; i < b.length; i++) {
        b[i] = f.allocateBlockNumber();
        data[i] = new byte[5000 + i];
        Arrays.fill(data[i], (byte) i);
        f.writeBlock(b[i], data[i], 0, data[i].length);
      }
      f.checkpoint(b[0], 0, 0);
      before = f.fileSize();
      long highest = f.blockOffset(b[19]);
      assertEquals(0, f.relocateTail(Long.MAX_VALUE), "nothing is free yet, so nothing moves");
      for (int i = 0; i < 15; i++) {
        f.freeBlockNumber(b[i]);
      }
      f.checkpoint(b[15], 0, 0);
      f.checkpoint(b[15], 0, 0);
      long moved = f.relocateTail(Long.MAX_VALUE);
      assertTrue(moved > 0, "blocks moved down into the freed space");
      assertTrue(f.blockOffset(b[19]) < highest, "the highest block moved down");
      for (int i = 15; i < 20; i++) {
        assertArrayEquals(data[i], f.readBlock(b[i]), "block " + i + " kept its bytes");
      }
      for (int i = 0; i < 4; i++) {
        f.checkpoint(b[15], 0, 0);
      }
      assertTrue(f.fileSize() < before / 2, "file shrank from " + before + " to " + f.fileSize());
    }
    try (BlockFile f = BlockFile.open(io, path)) {
      for (int i = 15; i < 20; i++) {
        assertArrayEquals(data[i], f.readBlock(b[i]), "block " + i + " after reopen");
      }
    }
  }

  @Test
  void aCheckpointKeepsTheImageTakenAtItsBeginWhileWritesGoOn() {
    long b;
    long c;
    long d;
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      b = f.allocateBlockNumber();
      c = f.allocateBlockNumber();
      d = f.allocateBlockNumber();
      f.writeBlock(b, new byte[] {1}, 0, 1);
      f.writeBlock(c, new byte[] {2}, 0, 1);
      f.writeBlock(d, new byte[] {3}, 0, 1);
      f.beginCheckpoint();
      f.writeBlock(b, new byte[] {10}, 0, 1); // after the image: not in this checkpoint
      f.writeCheckpointBlock(c, new byte[] {20}, 0, 1); // the image's version of c
      f.freeBlockNumber(d); // after the image: d stays in this checkpoint
      long e = f.allocateBlockNumber();
      f.writeBlock(e, new byte[] {4}, 0, 1);
      assertArrayEquals(new byte[] {10}, f.readBlock(b), "current contents are the newest");
      assertThrows(IllegalStateException.class, f::beginCheckpoint, "one checkpoint at a time");
      f.completeCheckpoint(c, 0, 0);
      assertArrayEquals(new byte[] {20}, f.readBlock(c));
      io.crash();
    }
    try (BlockFile f = BlockFile.open(io, path)) {
      assertArrayEquals(new byte[] {1}, f.readBlock(b), "the image's b");
      assertArrayEquals(new byte[] {20}, f.readBlock(c), "c as written for the image");
      assertArrayEquals(new byte[] {3}, f.readBlock(d), "d was freed after the image was taken");
      assertEquals(3, f.counters().get("store.blocks"));
    }
  }

  /**
   * The bound on the table's size that is checked before it is read (no more entries than the file
   * has 4096-byte units) must never reject a real file: many tiny and empty blocks, files ending
   * in a partial unit, and an empty block written last.
   */
  @Test
  void filesDenselyPackedWithTinyAndEmptyBlocksReopen() {
    for (int blocks = 1; blocks <= 40; blocks += 13) {
      for (int size : new int[] {0, 1, 100, 4095, 4096, 4097}) {
        Path p = Path.of("/db/dense-" + blocks + "-" + size + ".sap");
        long[] numbers = new long[blocks];
        try (BlockFile f = BlockFile.create(io, p, SETTINGS)) {
          for (int i = 0; i < blocks; i++) {
            numbers[i] = f.allocateBlockNumber();
            byte[] b = block(i == blocks - 1 ? 0 : size, i);
            f.writeBlock(numbers[i], b, 0, b.length);
          }
          f.checkpoint(numbers[0], 1, 1);
        }
        try (BlockFile f = BlockFile.open(io, p)) {
          for (int i = 0; i < blocks; i++) {
            assertEquals(i == blocks - 1 ? 0 : size, f.blockSize(numbers[i]), "blocks " + blocks + " size " + size);
          }
        }
      }
    }
  }
}
