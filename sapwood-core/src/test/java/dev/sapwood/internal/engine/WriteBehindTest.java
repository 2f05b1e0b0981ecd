package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FaultInjectingFileIo;
import dev.sapwood.internal.io.FaultInjectingFileIo.Kind;
import dev.sapwood.internal.io.FaultInjectingFileIo.Mode;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The block file's write-behind: when it syncs, that it syncs, and that a failed sync is sticky. */
class WriteBehindTest {
  private static final Path FILE = Path.of("/db/sapwood.db");
  private static final Header.Settings SETTINGS =
      new Header.Settings(65536, 8192, 16, dev.sapwood.internal.util.Compressors.LZ4);

  private static void writeBlock(BlockFile f, int bytes) {
    long b = f.allocateBlockNumber();
    f.writeBlock(b, new byte[bytes], 0, bytes);
  }

  @Test
  void syncsOnlyOnceEnoughBytesWereWrittenSinceTheLastSync() {
    FaultInjectingFileIo io = new FaultInjectingFileIo(new MemoryFileIo(), 1);
    try (BlockFile f = BlockFile.create(io, FILE, SETTINGS)) {
      Counters counters = new Counters();
      WriteBehind wb = new WriteBehind(f, counters);
      wb.syncEvery(10_000);
      long fsyncs = io.count(Kind.FSYNC);
      assertFalse(wb.tick(), "nothing written yet");
      writeBlock(f, 6_000);
      assertFalse(wb.tick(), "6,000 of 10,000 bytes");
      assertEquals(fsyncs, io.count(Kind.FSYNC));
      writeBlock(f, 6_000);
      assertTrue(wb.tick(), "12,000 bytes");
      assertEquals(fsyncs + 1, io.count(Kind.FSYNC));
      assertFalse(wb.tick(), "nothing since the sync");
      assertEquals(1, counters.snapshot().get("store.write_behind_syncs"));
    }
  }

  @Test
  void aSyncMakesTheBlocksWrittenBeforeItSurviveAPowerCutAndNoLaterOnes() {
    MemoryFileIo mem = new MemoryFileIo();
    BlockFile f = BlockFile.create(mem, FILE, SETTINGS);
    WriteBehind wb = new WriteBehind(f, new Counters());
    wb.syncEvery(1);
    byte[] sevens = new byte[4096];
    java.util.Arrays.fill(sevens, (byte) 7);
    long synced = f.allocateBlockNumber();
    f.writeBlock(synced, sevens, 0, sevens.length);
    assertTrue(wb.tick());
    byte[] nines = new byte[4096];
    java.util.Arrays.fill(nines, (byte) 9);
    long unsynced = f.allocateBlockNumber();
    f.writeBlock(unsynced, nines, 0, nines.length);
    long syncedAt = f.blockOffset(synced);
    long unsyncedAt = f.blockOffset(unsynced);
    mem.crash(); // the power goes: the handle is gone, the file is what was synced
    byte[] after = mem.contents(FILE);
    assertTrue(after.length >= syncedAt + sevens.length, "the synced block is in the file after the cut");
    assertEquals(7, after[(int) syncedAt + 100]);
    assertTrue(after.length <= unsyncedAt || after[(int) unsyncedAt + 100] != 9, "the block written after the sync is not");
  }

  @Test
  void aFailedSyncIsStickyAndRefusesLaterWrites() {
    FaultInjectingFileIo io = new FaultInjectingFileIo(new MemoryFileIo(), 2);
    try (BlockFile f = BlockFile.create(io, FILE, SETTINGS)) {
      WriteBehind wb = new WriteBehind(f, new Counters());
      wb.syncEvery(1);
      writeBlock(f, 100);
      io.failAt(Kind.FSYNC, io.count(Kind.FSYNC) + 1, Mode.ONCE);
      assertThrows(StorageException.class, wb::tick);
      assertThrows(StorageException.class, () -> writeBlock(f, 100), "the failure is sticky");
    }
  }

  @Test
  void refusesAThresholdBelowOneByte() {
    try (BlockFile f = BlockFile.create(new MemoryFileIo(), FILE, SETTINGS)) {
      assertThrows(IllegalArgumentException.class, () -> new WriteBehind(f, new Counters()).syncEvery(0));
    }
  }
}
