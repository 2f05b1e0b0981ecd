package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A file of numbered, variable-size blocks written copy-on-write, made durable by checkpoints
 * (layout: docs/format/blockfile.md, {@link BlockFileFormat}). Opening the file always yields the
 * state of the last completed checkpoint; blocks written since are lost on a crash.
 *
 * <p>Invariants: (1) an extent referenced by the last completed checkpoint (its table, or a table
 * entry marked checkpointed) is never reused, overwritten or truncated until the checkpoint after
 * next is durable, so the older header slot stays usable when the newer one is damaged; (2) an extent unmapped while reads are in flight is not reused until no read is in
 * flight, so a reader never sees its extent reused under it ({@link ExtentReclaimer}); (3) every
 * aligned unit from {@code DATA_START} to the allocator's end is in exactly one of: the current
 * table's entries, the durable table's extent, an extent being written, or one of the
 * reclaimer's stages (deferred, waiting, limbo, free).
 *
 * <p>Locking: {@code lock} guards the fields grouped below it; methods ending in {@code Locked}
 * require it. No I/O is done while holding it except in {@link #create} and {@link #open}, before
 * the object is shared. The caller guarantees {@link #checkpoint} does not run concurrently with
 * {@link #writeBlock} or {@link #freeBlockNumber}; reads may run at any time.
 */
public final class BlockFile implements Closeable {
  private final StickyFile file;
  private volatile boolean closed;

  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock:
  private Header header;
  private final BlockTable table;
  private final BlockNumberPool numbers;
  private final ExtentReclaimer extents;
  private long checkpoints;
  private BlockTable image; // the table as the checkpoint in progress saw it, or null

  private BlockFile(StickyFile file, Header header, BlockTable table, BlockNumberPool numbers,
      SpaceAllocator space) {
    this.file = file;
    this.header = header;
    this.table = table;
    this.numbers = numbers;
    this.extents = new ExtentReclaimer(space);
  }

  /**
   * Creates a new, empty block file at {@code path} (absent or empty): an empty block table at
   * offset 8192 and the same header, checkpoint count 0, in both slots, fsynced.
   *
   * @throws IllegalStateException if the file exists and is not empty
   */
  public static BlockFile create(FileIo io, Path path, Header.Settings settings) {
    Objects.requireNonNull(settings, "settings");
    StickyFile f = new StickyFile(openFile(io, path));
    try {
      if (f.size() > 0) {
        throw new IllegalStateException(path + ": cannot create a block file, file is not empty");
      }
      byte[] tableBytes = BlockTableCodec.encode(0, new BlockTable().sorted());
      long now = System.currentTimeMillis();
      Header h = new Header(FormatVersion.CURRENT, 0, 0, 0, 0, settings.nodeSize(),
          settings.basementSize(), settings.fanout(), settings.compression(), now, now,
          DATA_START, tableBytes.length, 1);
      f.write(DATA_START, tableBytes, 0, tableBytes.length);
      f.force();
      byte[] slot = HeaderCodec.encode(h);
      for (int s = 0; s < HEADER_SLOTS; s++) {
        f.write(slotOffset(s), slot, 0, slot.length);
      }
      f.force();
      SpaceAllocator space = new SpaceAllocator(DATA_START);
      space.allocate(extentLength(tableBytes.length));
      return new BlockFile(f, h, new BlockTable(), new BlockNumberPool(1), space);
    } catch (RuntimeException e) {
      closeQuietly(f, e);
      throw e;
    }
  }

  /**
   * Opens an existing file: reads both header slots, takes the valid one with the higher
   * checkpoint count (slot 0 on a tie), loads and verifies its block table, and rebuilds the free
   * space map (everything not referenced is free) and the free block numbers.
   *
   * @throws CorruptionException if no slot is valid or the table is damaged
   * @throws dev.sapwood.SapwoodException if a valid slot has a format version this build does not
   *     read
   */
  public static BlockFile open(FileIo io, Path path) {
    if (!io.exists(path)) {
      throw new StorageException(path + ": no such block file",
          new NoSuchFileException(path.toString()));
    }
    StickyFile f = new StickyFile(openFile(io, path));
    try {
      BlockFileLoader.Loaded l = BlockFileLoader.load(f);
      return new BlockFile(f, l.header(), l.table(), l.numbers(), l.space());
    } catch (RuntimeException e) {
      closeQuietly(f, e);
      throw e;
    }
  }

  /**
   * Whether {@code path} holds nothing but zeros where the header slots go (or less): a {@link
   * #create} that never finished, since create writes both slots before it returns.
   */
  public static boolean headerSlotsEmpty(FileIo io, Path path) {
    try (IoFile f = io.open(path)) {
      byte[] b = new byte[(int) Math.min(f.size(), DATA_START)];
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b);
      while (bb.hasRemaining() && f.read(bb.position(), bb) >= 0) {
        // read until full or at the end
      }
      for (byte x : b) {
        if (x != 0) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      throw new StorageException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** The header of the last completed checkpoint (or the one opened). */
  public Header header() {
    lock.lock();
    try {
      return header;
    } finally {
      lock.unlock();
    }
  }

  /** The file name, for error messages. */
  public String name() {
    return file.name();
  }

  /** A block number > 0 not in use; the lowest freed number first. */
  public long allocateBlockNumber() {
    checkOpen();
    lock.lock();
    try {
      return numbers.allocate();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Retires {@code blockNumber}: the number is reusable now; its extent (if any) is released at
   * once if no completed checkpoint refers to it, else after the next checkpoint completes.
   *
   * @throws IllegalArgumentException if the number is not in use
   */
  public void freeBlockNumber(long blockNumber) {
    checkOpen();
    lock.lock();
    try {
      numbers.release(blockNumber);
      BlockTable.Entry old = table.remove(blockNumber);
      if (old != null) {
        extents.retireLocked(old.offset(), old.extentLength(), old.checkpointed(), newestImageLocked());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes {@code data[off, off + len)} as the new contents of {@code blockNumber}, copy-on-write:
   * to freshly allocated space, then maps the number to it and retires the previous extent as
   * {@link #freeBlockNumber} does. A block of 0 bytes still occupies one aligned unit.
   *
   * @throws IllegalArgumentException if the number was not handed out by {@link
   *     #allocateBlockNumber} or was freed
   * @throws StorageException if the write fails, or an earlier write failed
   */
  public void writeBlock(long blockNumber, byte[] data, int off, int len) {
    writeExtent(blockNumber, data, off, len, false);
  }

  /** Writes a block copy-on-write; {@code forImage}: into the checkpoint image as well. */
  private void writeExtent(long blockNumber, byte[] data, int off, int len, boolean forImage) {
    Objects.checkFromIndexSize(off, len, data.length);
    checkOpen();
    file.checkWritable();
    long at;
    lock.lock();
    try {
      if (!numbers.isInUse(blockNumber)) {
        throw new IllegalArgumentException("block number " + blockNumber + " is not in use");
      }
      if (forImage && image == null) {
        throw new IllegalStateException("no checkpoint in progress");
      }
      at = extents.allocateLocked(extentLength(len));
    } finally {
      lock.unlock();
    }
    file.write(at, data, off, len);
    lock.lock();
    try {
      BlockTable.Entry entry = new BlockTable.Entry(at, len, forImage);
      BlockTable.Entry old = table.put(blockNumber, entry);
      if (forImage) {
        image.put(blockNumber, entry);
      }
      if (old != null) {
        extents.retireLocked(old.offset(), old.extentLength(), old.checkpointed(), newestImageLocked());
      }
    } finally {
      lock.unlock();
    }
  }

  /** The numbers of every mapped block, ascending (a copy: as many as the table holds). */
  public long[] mappedBlocks() {
    lock.lock();
    try {
      long[] out = new long[table.size()];
      int i = 0;
      for (long b : table.sorted().keySet()) {
        out[i++] = b;
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** Whether {@code blockNumber} has a written extent. */
  public boolean isMapped(long blockNumber) {
    lock.lock();
    try {
      return table.get(blockNumber) != null;
    } finally {
      lock.unlock();
    }
  }

  /** The size in bytes of the block; IllegalArgumentException if unmapped. */
  public int blockSize(long blockNumber) {
    return mappedEntry(blockNumber).size();
  }

  /** The file offset of the block's current extent (for messages); IllegalArgumentException if unmapped. */
  public long blockOffset(long blockNumber) {
    return mappedEntry(blockNumber).offset();
  }

  /**
   * Reads {@code len} bytes of the block starting {@code offsetInBlock} bytes into it.
   *
   * @throws CorruptionException if the block is not mapped (its number came from damaged data),
   *     the range is not inside the block (a length read from disk was bad), or the file ends
   *     before the block does
   */
  public void readBlock(long blockNumber, int offsetInBlock, byte[] dst, int dstOff, int len) {
    extents.enterRead();
    try {
      BlockTable.Entry e = lookupForRead(blockNumber);
      if (offsetInBlock < 0 || len < 0 || (long) offsetInBlock + len > e.size()) {
        throw new CorruptionException(file.name(), e.offset(), "block " + blockNumber
            + ": read of " + len + " bytes at " + offsetInBlock + " is outside its "
            + e.size() + " bytes");
      }
      Objects.checkFromIndexSize(dstOff, len, dst.length);
      file.readFully(e.offset() + offsetInBlock, dst, dstOff, len, "block " + blockNumber);
    } finally {
      leaveRead();
    }
  }

  /**
   * The size of a block whose number came from disk (a child pointer, a catalog's root): a
   * {@link CorruptionException} naming the file if it is not mapped, unlike {@link #blockSize}.
   *
   * @param what who refers to the block, for the message
   */
  public int storedBlockSize(long blockNumber, String what) {
    lock.lock();
    try {
      BlockTable.Entry e = table.get(blockNumber);
      if (e == null) {
        throw new CorruptionException(file.name(), -1,
            what + " refers to block " + blockNumber + ", which is not in the block table");
      }
      return e.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The CRC32C of {@code len} bytes of the block from {@code offsetInBlock}, read through a small
   * buffer: checks a length read from disk against its checksum before anything is allocated by
   * it. CorruptionException as in {@link #readBlock(long, int, byte[], int, int)}.
   *
   * @param crc a checksum that already holds the bytes before {@code offsetInBlock}, or a new one
   */
  public int checksumBlock(long blockNumber, int offsetInBlock, int len, java.util.zip.CRC32C crc) {
    extents.enterRead();
    try {
      BlockTable.Entry e = lookupForRead(blockNumber);
      if (offsetInBlock < 0 || len < 0 || (long) offsetInBlock + len > e.size()) {
        throw new CorruptionException(file.name(), e.offset(), "block " + blockNumber
            + ": checksum of " + len + " bytes at " + offsetInBlock + " is outside its "
            + e.size() + " bytes");
      }
      file.checksum(e.offset() + offsetInBlock, len, crc, "block " + blockNumber);
      return (int) crc.getValue();
    } finally {
      leaveRead();
    }
  }

  /** The whole block; CorruptionException as in {@link #readBlock(long, int, byte[], int, int)}. */
  public byte[] readBlock(long blockNumber) {
    extents.enterRead();
    try {
      BlockTable.Entry e = lookupForRead(blockNumber);
      byte[] out = new byte[e.size()];
      file.readFully(e.offset(), out, 0, out.length, "block " + blockNumber);
      return out;
    } finally {
      leaveRead();
    }
  }

  /**
   * Moves blocks from the end of the file into free space below them, highest first, copying up
   * to {@code maxBytes}; each move is an ordinary copy-on-write rewrite, so the old extent is
   * released like any other once no checkpoint refers to it, and the file's tail can then be
   * truncated. Does nothing unless at least a quarter of the used space is free. Returns the bytes
   * moved. The caller guarantees no write or free runs meanwhile (call it before a checkpoint).
   */
  public long relocateTail(long maxBytes) {
    checkOpen();
    long moved = 0;
    long[][] candidates;
    lock.lock();
    try {
      candidates = TailRelocator.candidates(table, extents.freeBytesLocked(), extents.endLocked());
    } finally {
      lock.unlock();
    }
    for (long[] candidate : candidates) {
      if (moved >= maxBytes) {
        break;
      }
      long blockNumber = candidate[0];
      long offset = candidate[1];
      long length = candidate[2];
      lock.lock();
      try {
        long fit = extents.firstFitLocked(length);
        if (fit < 0 || fit >= offset) {
          break;
        }
      } finally {
        lock.unlock();
      }
      byte[] bytes = readBlock(blockNumber);
      writeBlock(blockNumber, bytes, 0, bytes.length);
      moved += bytes.length;
    }
    return moved;
  }

  /**
   * Makes everything written so far durable as checkpoint {@code header().checkpointCount() + 1}:
   * {@link #beginCheckpoint} then {@link #completeCheckpoint}. The caller guarantees no write or
   * free runs meanwhile.
   *
   * @throws StorageException if any step fails (sticky: the file accepts no more writes)
   */
  public void checkpoint(long catalogBlock, long maxMsn, long checkpointLsn) {
    beginCheckpoint();
    completeCheckpoint(catalogBlock, maxMsn, checkpointLsn);
  }

  /**
   * Takes the image of a checkpoint: the block table as it is now. Until {@link
   * #completeCheckpoint}, ordinary writes and frees change only the current table, while {@link
   * #writeCheckpointBlock} changes both; every extent the image refers to is kept (not reused or
   * truncated) until no header slot can describe a checkpoint that refers to it. The caller makes
   * sure the image is consistent (nothing is half-written to the table when it is taken).
   */
  public void beginCheckpoint() {
    checkOpen();
    file.checkWritable();
    lock.lock();
    try {
      if (image != null) {
        throw new IllegalStateException("a checkpoint is already in progress");
      }
      table.markAllCheckpointed();
      image = table.copy();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes a block as it was when the checkpoint in progress began (a node the checkpoint writes,
   * or one a writer serializes for the checkpoint before changing it): it goes into the image and
   * becomes the block's current contents too.
   */
  public void writeCheckpointBlock(long blockNumber, byte[] data, int off, int len) {
    writeExtent(blockNumber, data, off, len, true);
  }

  /**
   * Completes the checkpoint in progress: fsync the data, write the image's block table to fresh
   * space, fsync, write the header to slot {@code count % 2}, fsync; then release what no header
   * slot can refer to any more and truncate free space at the end of the file.
   *
   * @throws StorageException if any step fails (sticky: the file accepts no more writes)
   */
  public void completeCheckpoint(long catalogBlock, long maxMsn, long checkpointLsn) {
    checkOpen();
    file.force();
    byte[] bytes;
    long at;
    Header old;
    Header next;
    lock.lock();
    try {
      if (image == null) {
        throw new IllegalStateException("no checkpoint in progress");
      }
      old = header;
      long count = old.checkpointCount() + 1;
      bytes = BlockTableCodec.encode(count, image.sorted());
      at = extents.allocateLocked(extentLength(bytes.length));
      next = new Header(FormatVersion.CURRENT, count, checkpointLsn, catalogBlock, maxMsn,
          old.nodeSize(), old.basementSize(), old.fanout(), old.compression(),
          old.createdMillis(), System.currentTimeMillis(), at, bytes.length, numbers.next());
    } finally {
      lock.unlock();
    }
    file.write(at, bytes, 0, bytes.length);
    file.force();
    byte[] slot = HeaderCodec.encode(next);
    file.write(slotOffset(next.slot()), slot, 0, slot.length);
    file.force();
    long end;
    lock.lock();
    try {
      header = next;
      image = null;
      checkpoints++;
      end = extents.checkpointCompletedLocked(next.checkpointCount(), at, extentLength(bytes.length));
    } finally {
      lock.unlock();
    }
    file.truncate(end);
  }

  /** The number of the newest checkpoint whose image may refer to an extent retired now. */
  private long newestImageLocked() {
    return header.checkpointCount() + (image != null ? 1 : 0);
  }

  /** The file's current size in bytes. */
  public long fileSize() {
    return file.size();
  }

  /**
   * Counters: io.bytes_written, io.bytes_read, io.fsyncs, store.blocks, store.free_bytes,
   * store.pending_free_bytes (deferred to the next checkpoint or waiting for reads),
   * store.file_bytes, store.checkpoints.
   */
  public Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("io.bytes_written", file.bytesWritten.sum());
    m.put("io.bytes_read", file.bytesRead.sum());
    m.put("io.fsyncs", file.fsyncs.sum());
    lock.lock();
    try {
      m.put("store.blocks", (long) table.size());
      m.put("store.free_bytes", extents.freeBytesLocked());
      m.put("store.pending_free_bytes", extents.pendingBytesLocked());
      m.put("store.checkpoints", checkpoints);
    } finally {
      lock.unlock();
    }
    m.put("store.file_bytes", closed ? -1L : file.size());
    return m;
  }

  /** Closes the file without checkpointing: writes since the last checkpoint are not durable. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      file.close();
    }
  }

  private BlockTable.Entry mappedEntry(long blockNumber) {
    lock.lock();
    try {
      BlockTable.Entry e = table.get(blockNumber);
      if (e == null) {
        throw new IllegalArgumentException(name() + ": block " + blockNumber + " is not mapped");
      }
      return e;
    } finally {
      lock.unlock();
    }
  }

  /** REQUIRES: the caller called {@code extents.enterRead()}. */
  private BlockTable.Entry lookupForRead(long blockNumber) {
    BlockTable.Entry e;
    lock.lock();
    try {
      e = table.get(blockNumber);
    } finally {
      lock.unlock();
    }
    if (e == null) {
      throw new CorruptionException(file.name(), -1, "block " + blockNumber + " is not mapped");
    }
    return e;
  }

  private void leaveRead() {
    if (extents.leaveRead()) {
      lock.lock();
      try {
        extents.drainLimboLocked();
      } finally {
        lock.unlock();
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(name() + ": block file is closed");
    }
  }

  private static IoFile openFile(FileIo io, Path path) {
    try {
      return io.open(path);
    } catch (IOException e) {
      throw new StorageException(path + ": cannot open block file", e);
    }
  }

  private static void closeQuietly(StickyFile f, RuntimeException primary) {
    try {
      f.close();
    } catch (RuntimeException e) {
      primary.addSuppressed(e);
    }
  }
}
