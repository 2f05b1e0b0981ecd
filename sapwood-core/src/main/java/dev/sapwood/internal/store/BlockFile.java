package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FileIo;
import java.io.Closeable;
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
 * reclaimer's stages (deferred, waiting, limbo, free); (4) the file is truncated only while the
 * lock is held, to the allocator's end just trimmed: deciding where the file ends and cutting it
 * there are one step, so no block can be allocated, written and mapped at or past the cut before
 * the cut is made (the space would come back as zeros, or not at all); (5) a block's write
 * installs its extent only if the block's entry is still the one it saw when it allocated: one
 * write of a block at a time and no free during it (the node latch guarantees that; checked, an
 * {@link IllegalStateException} otherwise), and a tail relocation drops its copy instead of
 * installing it over a newer write; (6) the checkpoint in progress is sealed before its data is
 * fsynced: no block joins its image after that fsync; (7) once a read found damage ({@link
 * #noteCorruption}), no checkpoint begins or completes: a checkpoint must not make durable a table
 * that may refer to a block that cannot be read back; nor one whose extents end past the file.
 *
 * <p>Locking: {@code lock} guards the fields grouped below it; methods ending in {@code Locked}
 * require it. No I/O is done while holding it except in {@link #create} and {@link #open}, before
 * the object is shared, and the truncation of invariant (4). Writes, frees and relocation may run
 * concurrently with a checkpoint's {@link #writeCheckpointBlock} and {@link #completeCheckpoint}
 * (not with {@link #beginCheckpoint}); reads may run at any time.
 */
public final class BlockFile implements Closeable {
  private final StickyFile file;
  private volatile boolean closed;

  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock:
  private Header header;
  private Header.Settings settings; // the tree shape the next checkpoint's header records
  private final BlockTable table;
  private final BlockNumberPool numbers;
  private final ExtentReclaimer extents;
  private long checkpoints;
  private BlockTable image; // the table as the checkpoint in progress saw it, or null
  private boolean imageSealed; // the checkpoint in progress takes no more blocks (invariant 6)
  private int writesInFlight; // allocated, not yet installed
  private long relocating; // the block a tail relocation is copying, or 0
  private boolean relocationOvertaken; // a write or free of that block began meanwhile
  private volatile CorruptionException corruption; // the first damage a read found, or null

  private BlockFile(BlockFileLoader.Loaded l) {
    this.file = l.file();
    this.header = l.header();
    this.settings = header.settings();
    this.table = l.table();
    this.numbers = l.numbers();
    this.extents = new ExtentReclaimer(l.space());
  }

  /**
   * Creates a new, empty block file at {@code path} (absent or empty): an empty block table at
   * offset 8192 and the same header, checkpoint count 0, in both slots, fsynced.
   *
   * @throws IllegalStateException if the file exists and is not empty
   */
  public static BlockFile create(FileIo io, Path path, Header.Settings settings) {
    return new BlockFile(BlockFileLoader.create(io, path, settings));
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
    return new BlockFile(BlockFileLoader.open(io, path));
  }

  /**
   * Whether {@code path} holds nothing but zeros where the header slots go (or less): a {@link
   * #create} that never finished, since create writes both slots before it returns.
   */
  public static boolean headerSlotsEmpty(FileIo io, Path path) {
    return BlockFileLoader.headerSlotsEmpty(io, path);
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

  /**
   * Makes {@code s} the tree shape that the header of every checkpoint from the next one on
   * records (the database's shape after an open that overrode it). Until that checkpoint is
   * durable, the last one's shape stands.
   */
  public void recordSettings(Header.Settings s) {
    Objects.requireNonNull(s, "settings");
    lock.lock();
    try {
      settings = s;
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
      relocationOvertaken |= blockNumber == relocating;
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
    BlockTable.Entry seen;
    BlockTable target;
    lock.lock();
    try {
      if (!numbers.isInUse(blockNumber)) {
        throw new IllegalArgumentException("block number " + blockNumber + " is not in use");
      }
      target = forImage ? openImageLocked() : null;
      seen = table.get(blockNumber);
      relocationOvertaken |= blockNumber == relocating;
      at = extents.allocateLocked(extentLength(len));
      writesInFlight++;
    } finally {
      lock.unlock();
    }
    boolean installed = false;
    try {
      file.write(at, data, off, len);
      lock.lock();
      try {
        // Invariant (5): nobody wrote or freed this block meanwhile; the image is the same one.
        if (table.get(blockNumber) != seen || !numbers.isInUse(blockNumber)
            || (forImage && (image != target || imageSealed))) {
          throw new IllegalStateException(name() + ": block " + blockNumber
              + " was written, freed or its checkpoint completed while this write of it was in flight");
        }
        BlockTable.Entry entry = new BlockTable.Entry(at, len, forImage);
        table.put(blockNumber, entry);
        if (forImage) {
          image.put(blockNumber, entry);
        }
        if (seen != null) {
          extents.retireLocked(seen.offset(), seen.extentLength(), seen.checkpointed(), newestImageLocked());
        }
        installed = true;
      } finally {
        lock.unlock();
      }
    } finally {
      lock.lock();
      try {
        writesInFlight--;
        if (!installed) {
          extents.retireLocked(at, extentLength(len), false, 0); // never mapped: free again
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** The image of the checkpoint in progress, if it still takes blocks. */
  private BlockTable openImageLocked() {
    if (image == null) {
      throw new IllegalStateException("no checkpoint in progress");
    }
    if (imageSealed) {
      throw new IllegalStateException("the checkpoint in progress is completing and takes no more blocks");
    }
    return image;
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
      readBlockEntered(blockNumber, offsetInBlock, dst, dstOff, len);
    } catch (CorruptionException e) {
      noteCorruption(e);
      throw e;
    } finally {
      leaveRead();
    }
  }

  private void readBlockEntered(long blockNumber, int offsetInBlock, byte[] dst, int dstOff, int len) {
    BlockTable.Entry e = lookupForRead(blockNumber);
    if (offsetInBlock < 0 || len < 0 || (long) offsetInBlock + len > e.size()) {
      throw new CorruptionException(file.name(), e.offset(), "block " + blockNumber
          + ": read of " + len + " bytes at " + offsetInBlock + " is outside its "
          + e.size() + " bytes");
    }
    Objects.checkFromIndexSize(dstOff, len, dst.length);
    file.readFully(e.offset() + offsetInBlock, dst, dstOff, len, "block " + blockNumber);
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
    } catch (CorruptionException e) {
      noteCorruption(e);
      throw e;
    } finally {
      leaveRead();
    }
  }

  /**
   * Records that a read of this file found damage (a read here, or a block that did not decode
   * above): from now on no checkpoint begins or completes (invariant 7). The first one is kept.
   */
  public void noteCorruption(CorruptionException e) {
    lock.lock();
    try {
      if (corruption == null) {
        corruption = e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** The first damage a read of this file found since it was opened, or null. */
  public CorruptionException corruption() {
    return corruption;
  }

  /**
   * Throws unless checkpoints are allowed: a {@link CorruptionException} naming the first damage
   * a read found (invariant 7), its cause.
   */
  public void checkCheckpointAllowed() {
    CorruptionException first = corruption;
    if (first != null) {
      throw new CorruptionException(first.file(), first.offset(), "checkpoint refused: a read found"
          + " damage, and a checkpoint must not make durable a block table that may refer to a block"
          + " that cannot be read back; the first damage: " + first.getMessage(), first);
    }
  }

  /**
   * Moves blocks from the end of the file into free space below them, highest first, copying up
   * to {@code maxBytes}; each move is an ordinary copy-on-write rewrite, so the old extent is
   * released like any other once no checkpoint refers to it, and the file's tail can then be
   * truncated. Does nothing unless at least a quarter of the used space is free. Returns the bytes
   * moved. Safe with writes and frees running: the candidates are chosen under the lock but moved
   * one by one later, so each move re-checks that the block still lives where it was chosen, lands
   * below it, and installs its copy only if no write of the block came in between (invariant 5);
   * otherwise that block stays where it is.
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
      int m = relocate(candidate[0], candidate[1], candidate[2]);
      if (m < 0) {
        break;
      }
      moved += m;
    }
    return moved;
  }

  /**
   * Moves one block from {@code offset} to the first fit below it: the bytes moved, 0 if the block
   * changed meanwhile (left alone), -1 if nothing below it fits (the relocation stops).
   */
  private int relocate(long blockNumber, long offset, long length) {
    BlockTable.Entry seen;
    lock.lock();
    try {
      seen = table.get(blockNumber);
      if (seen == null || seen.offset() != offset) {
        return 0;
      }
      long fit = extents.firstFitLocked(length);
      if (fit < 0 || fit >= offset) {
        return -1;
      }
    } finally {
      lock.unlock();
    }
    byte[] bytes = new byte[seen.size()];
    extents.enterRead();
    try {
      file.readFully(seen.offset(), bytes, 0, bytes.length, "block " + blockNumber);
    } catch (CorruptionException e) {
      noteCorruption(e);
      throw e;
    } finally {
      leaveRead();
    }
    file.checkWritable();
    long at;
    lock.lock();
    try {
      if (table.get(blockNumber) != seen || writesInFlight > 0) {
        return 0;
      }
      at = extents.allocateLocked(length);
      if (at >= offset) {
        extents.retireLocked(at, length, false, 0);
        return -1;
      }
      writesInFlight++;
      relocating = blockNumber;
      relocationOvertaken = false;
    } finally {
      lock.unlock();
    }
    boolean installed = false;
    try {
      file.write(at, bytes, 0, bytes.length);
      lock.lock();
      try {
        if (!relocationOvertaken && table.get(blockNumber) == seen) {
          table.put(blockNumber, new BlockTable.Entry(at, seen.size(), false));
          extents.retireLocked(seen.offset(), seen.extentLength(), seen.checkpointed(), newestImageLocked());
          installed = true;
        }
      } finally {
        lock.unlock();
      }
    } finally {
      lock.lock();
      try {
        writesInFlight--;
        relocating = 0;
        if (!installed) {
          extents.retireLocked(at, length, false, 0);
        }
      } finally {
        lock.unlock();
      }
    }
    return installed ? bytes.length : 0;
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
   * sure the image is consistent (nothing is half-written to the table when it is taken; checked:
   * an {@link IllegalStateException} if a write is in flight).
   *
   * @throws CorruptionException if a read found damage since the file was opened (invariant 7)
   */
  public void beginCheckpoint() {
    checkOpen();
    file.checkWritable();
    checkCheckpointAllowed();
    lock.lock();
    try {
      if (image != null) {
        throw new IllegalStateException("a checkpoint is already in progress");
      }
      if (writesInFlight > 0) {
        // The image would miss a block written but not yet mapped (invariant 5's bookkeeping).
        throw new IllegalStateException(name() + ": " + writesInFlight
            + " block writes in flight as a checkpoint begins");
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
   * Completes the checkpoint in progress: seal its image (no block joins it any more), fsync the
   * data, check that every extent of the image lies inside the file, write the image's block
   * table to fresh space, fsync, write the header to slot {@code count % 2}, fsync; then release
   * what no header slot can refer to any more and truncate free space at the end of the file,
   * under the lock (invariant 4).
   *
   * @throws StorageException if any step fails (sticky: the file accepts no more writes)
   * @throws CorruptionException if a read found damage since the file was opened, or the image
   *     refers to bytes past the end of the file; nothing is written then
   */
  public void completeCheckpoint(long catalogBlock, long maxMsn, long checkpointLsn) {
    checkOpen();
    checkCheckpointAllowed();
    lock.lock();
    try {
      if (image == null) {
        throw new IllegalStateException("no checkpoint in progress");
      }
      imageSealed = true;
    } finally {
      lock.unlock();
    }
    file.force();
    byte[] bytes;
    long at;
    Header old;
    Header next;
    long imageEnd = 0;
    lock.lock();
    try {
      for (BlockTable.Entry e : image.sorted().values()) {
        imageEnd = Math.max(imageEnd, e.offset() + e.size());
      }
      long size = file.size();
      if (imageEnd > size) {
        CorruptionException e = new CorruptionException(file.name(), size, "the checkpoint's block table"
            + " refers to bytes up to offset " + imageEnd + " but the file ends at " + size);
        noteCorruption(e);
        checkCheckpointAllowed();
      }
      old = header;
      long count = old.checkpointCount() + 1;
      bytes = BlockTableEncoding.encode(count, image.sorted());
      at = extents.allocateLocked(extentLength(bytes.length));
      next = new Header(FormatVersion.CURRENT, count, checkpointLsn, catalogBlock, maxMsn,
          settings.nodeSize(), settings.basementSize(), settings.fanout(), settings.compression(),
          old.createdMillis(), System.currentTimeMillis(), at, bytes.length, numbers.next());
    } finally {
      lock.unlock();
    }
    file.write(at, bytes, 0, bytes.length);
    file.force();
    byte[] slot = HeaderEncoding.encode(next);
    file.write(slotOffset(next.slot()), slot, 0, slot.length);
    file.force();
    lock.lock();
    try {
      header = next;
      image = null;
      imageSealed = false;
      checkpoints++;
      long end = extents.checkpointCompletedLocked(next.checkpointCount(), at, extentLength(bytes.length));
      // Invariant (4): cut the file while no one can allocate at or past the new end.
      if (file.size() > end) {
        file.truncate(end);
      }
    } finally {
      lock.unlock();
    }
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
}
