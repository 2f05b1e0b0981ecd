package dev.sapwood.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.io.ForwardingFileIo;
import dev.sapwood.internal.io.ForwardingIoFile;
import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.MemoryFileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Writes that run while a checkpoint completes: what the block file decides under its lock it
 * must not act on after letting go of it (issue 9's truncation race). The file layer here lets a
 * test run code at the moment the checkpoint truncates the file.
 */
class BlockFileRaceTest {
  private final Path path = Path.of("/db/race.sap");
  private volatile Runnable onTruncate;
  private volatile Runnable onRead;

  private final ForwardingFileIo io = new ForwardingFileIo(new MemoryFileIo()) {
    @Override
    protected IoFile wrap(IoFile file) {
      return new ForwardingIoFile(file) {
        @Override
        public int read(long position, java.nio.ByteBuffer dst) throws IOException {
          Runnable r = onRead;
          onRead = null;
          if (r != null) {
            r.run();
          }
          return super.read(position, dst);
        }

        @Override
        public void truncate(long size) throws IOException {
          Runnable r = onTruncate;
          onTruncate = null;
          if (r != null) {
            r.run();
          }
          super.truncate(size);
        }
      };
    }
  };

  /**
   * A free tail at the end of the file, a checkpoint that trims it, and a block written (as a
   * node evicted by another thread is) at the moment the checkpoint truncates: the block must read
   * back, now and after the next checkpoint and a reopen. Before the fix the write was placed at
   * the trimmed end, then cut off by the truncation.
   */
  @Test
  void aBlockWrittenWhileTheCheckpointTruncatesIsNotCutOff() throws Exception {
    byte[] late = BlockFileTest.block(8000, 7);
    long lateBlock;
    try (BlockFile f = BlockFile.create(io, path, HeaderSlotTest.SETTINGS)) {
      long keep = f.allocateBlockNumber();
      byte[] kept = BlockFileTest.block(5000, 1);
      f.writeBlock(keep, kept, 0, kept.length);
      long tail = f.allocateBlockNumber();
      byte[] big = BlockFileTest.block(64 << 10, 2);
      f.writeBlock(tail, big, 0, big.length);
      f.freeBlockNumber(tail); // never checkpointed: free at once, at the end of the file
      lateBlock = f.allocateBlockNumber();
      CompletableFuture<Void> writer = new CompletableFuture<>();
      onTruncate = () -> {
        Thread t = new Thread(() -> {
          try {
            f.writeBlock(lateBlock, late, 0, late.length);
            writer.complete(null);
          } catch (Throwable e) {
            writer.completeExceptionally(e);
          }
        });
        t.start();
        try {
          // Before the fix the write finishes here, inside the window; after it, it waits for
          // the checkpoint's lock and finishes once the truncation is done.
          writer.get(300, TimeUnit.MILLISECONDS);
        } catch (TimeoutException waitsForTheLock) {
          // expected with the fix
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      };
      f.checkpoint(keep, 1, 1);
      assertTrue(onTruncate == null, "the checkpoint truncated the file");
      writer.get(10, TimeUnit.SECONDS);
      assertArrayEquals(late, f.readBlock(lateBlock), "the block written during the truncation");
      assertArrayEquals(kept, f.readBlock(keep));
      f.checkpoint(keep, 1, 1);
    }
    try (BlockFile f = BlockFile.open(io, path)) {
      assertArrayEquals(late, f.readBlock(lateBlock), "after reopen");
    }
  }

  /**
   * A read looks its block up without the block file's lock: it completes while a checkpoint
   * holds that lock (here at the truncation; a checkpoint's encoding, a relocation's scans and the
   * free-space searches hold it the same way). It used to wait for the lock, which made readers
   * queue behind the idle reclaim's whole-table work (YCSB C at 4 threads).
   */
  @Test
  void aReadDoesNotWaitForTheLockACheckpointHolds() throws Exception {
    try (BlockFile f = BlockFile.create(io, path, HeaderSlotTest.SETTINGS)) {
      long keep = f.allocateBlockNumber();
      byte[] kept = BlockFileTest.block(5000, 1);
      f.writeBlock(keep, kept, 0, kept.length);
      long tail = f.allocateBlockNumber();
      byte[] big = BlockFileTest.block(64 << 10, 2);
      f.writeBlock(tail, big, 0, big.length);
      f.freeBlockNumber(tail); // a free tail: the checkpoint truncates the file, under its lock
      CompletableFuture<byte[]> read = new CompletableFuture<>();
      boolean[] readInsideTheLock = {false};
      onTruncate = () -> {
        Thread t = new Thread(() -> {
          try {
            read.complete(f.readBlock(keep));
          } catch (Throwable e) {
            read.completeExceptionally(e);
          }
        });
        t.start();
        try {
          read.get(20, TimeUnit.SECONDS);
          readInsideTheLock[0] = true;
        } catch (TimeoutException waitedForTheLock) {
          // the old lookup: the read waits until the checkpoint lets the lock go
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      };
      f.checkpoint(keep, 1, 1);
      assertTrue(onTruncate == null, "the checkpoint truncated the file");
      assertArrayEquals(kept, read.get(10, TimeUnit.SECONDS));
      assertTrue(readInsideTheLock[0], "the read completed while the checkpoint held the block file's lock");
    }
  }

  /** A tail relocation that finds its block rewritten meanwhile keeps the newer contents. */
  @Test
  void relocationNeverInstallsACopyOverANewerWrite() {
    try (BlockFile f = BlockFile.create(io, path, HeaderSlotTest.SETTINGS)) {
      long low = f.allocateBlockNumber();
      byte[] lowData = BlockFileTest.block(40 << 10, 1);
      f.writeBlock(low, lowData, 0, lowData.length);
      long high = f.allocateBlockNumber();
      byte[] old = BlockFileTest.block(6000, 2);
      f.writeBlock(high, old, 0, old.length);
      f.freeBlockNumber(low); // lots of free space below the block at the end
      byte[] newer = BlockFileTest.block(6000, 3);
      // While the relocation reads the block, a writer rewrites it (as a node evicted by another
      // thread is): the relocation's copy of the old contents must not replace the new ones.
      onRead = () -> f.writeBlock(high, newer, 0, newer.length);
      f.relocateTail(Long.MAX_VALUE);
      assertTrue(onRead == null, "the relocation read the block");
      assertArrayEquals(newer, f.readBlock(high));
      f.relocateTail(Long.MAX_VALUE); // and a relocation with no writer moves it
      assertArrayEquals(newer, f.readBlock(high));
    }
  }

  /** Once a read found damage, no checkpoint begins or completes, naming the first damage. */
  @Test
  void checkpointsAreRefusedAfterAReadFoundDamage() {
    try (BlockFile f = BlockFile.create(io, path, HeaderSlotTest.SETTINGS)) {
      long b = f.allocateBlockNumber();
      byte[] data = BlockFileTest.block(3000, 1);
      f.writeBlock(b, data, 0, data.length);
      f.checkpoint(b, 1, 1);
      assertThrows(CorruptionException.class, () -> f.readBlock(999)); // not mapped: damage
      CorruptionException first = f.corruption();
      assertNotNull(first);
      f.noteCorruption(new CorruptionException("x", 1, "a later one"));
      assertEquals(first, f.corruption(), "the first is kept");
      long count = f.header().checkpointCount();
      CorruptionException refused = assertThrows(CorruptionException.class, () -> f.checkpoint(b, 1, 1));
      assertTrue(refused.getMessage().contains("checkpoint refused"), refused.getMessage());
      assertTrue(refused.getMessage().contains("block 999"), refused.getMessage());
      assertEquals(first, refused.getCause());
      assertEquals(count, f.header().checkpointCount(), "nothing was made durable");
      assertArrayEquals(data, f.readBlock(b), "reads go on");
    }
  }
}
