package dev.sapwood.internal.store;

import dev.sapwood.CorruptionException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FileIo;
import java.io.Closeable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * A file of numbered, variable-size blocks written copy-on-write, made durable by checkpoints
 * (layout: docs/format/blockfile.md, {@link BlockFileFormat}). Opening the file always yields the
 * state of the last completed checkpoint; blocks written since are lost on a crash. This class is
 * the facade; the work is done by its parts over one shared {@link BlockFileState}: {@link
 * BlockNumbers} (handing out, retiring and mapping block numbers), {@link BlockReads}, {@link
 * BlockWriter} (copy-on-write installs), {@link TailRelocator} and {@link CheckpointProtocol} (the
 * checkpoint protocol and the truncation), with {@link ExtentReclaimer} deciding when space is
 * reused.
 *
 * <p>Invariants: (1) an extent referenced by the last completed checkpoint (its table, or a table
 * entry marked checkpointed) is never reused, overwritten or truncated until the checkpoint after
 * next is durable, so the older header slot stays usable when the newer one is damaged; (2) an
 * extent unmapped while reads are in flight is not reused until no read is in flight, so a reader
 * never sees its extent reused under it ({@link ExtentReclaimer}); (3) every aligned unit from
 * {@code DATA_START} to the allocator's end is in exactly one of: the current table's entries, the
 * durable table's extent, an extent being written, an extent staged by a bulk load
 * ({@link StagedBlocks}), or one of the reclaimer's stages (deferred,
 * waiting, limbo, free). The invariants of the parts are stated where they live: a write installs
 * only over the entry it saw and a relocation re-checks before it installs ({@link BlockWriter},
 * {@link TailRelocator}); the truncation happens under the lock that lowered the allocator's end,
 * the image is sealed before the data fsync, and no checkpoint follows damage found by a read
 * ({@link CheckpointProtocol}).
 *
 * <p>Locking: one lock ({@link BlockFileState}) guards the shared fields; methods ending in {@code
 * Locked} require it. No I/O is done while holding it except in {@link #create} and {@link #open},
 * before the object is shared, and the truncation of CheckpointProtocol's invariant 1. Writes,
 * frees and relocation may run concurrently with a checkpoint's {@link #writeCheckpointBlock} and
 * {@link #completeCheckpoint} (not with {@link #beginCheckpoint}); reads may run at any time.
 */
public final class BlockFile implements Closeable {
  private final BlockFileState s;
  private final BlockNumbers numbers;
  private final BlockReads reads;
  private final BlockWriter writer;
  private final TailRelocator relocator;
  private final CheckpointProtocol checkpointer;

  private BlockFile(BlockFileLoader.Loaded l) {
    this.s = new BlockFileState(l);
    this.numbers = new BlockNumbers(s);
    this.reads = new BlockReads(s);
    this.writer = new BlockWriter(s);
    this.relocator = new TailRelocator(s, reads);
    this.checkpointer = new CheckpointProtocol(s);
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
   * Like {@link #open}, through a read-only handle ({@link FileIo#openReadOnly}): every write,
   * free space truncation or checkpoint of the file fails (sticky, as any failed write); reads
   * work as usual. For read-only databases and the tools.
   */
  public static BlockFile openReadOnly(FileIo io, Path path) {
    return new BlockFile(BlockFileLoader.open(io, path, true));
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
    s.lock.lock();
    try {
      return s.header;
    } finally {
      s.lock.unlock();
    }
  }

  /**
   * Makes {@code settings} the tree shape that the header of every checkpoint from the next one on
   * records (the database's shape after an open that overrode it). Until that checkpoint is
   * durable, the last one's shape stands.
   */
  public void recordSettings(Header.Settings settings) {
    Objects.requireNonNull(settings, "settings");
    s.lock.lock();
    try {
      s.settings = settings;
    } finally {
      s.lock.unlock();
    }
  }

  /** The file name, for error messages. */
  public String name() {
    return s.name();
  }

  /** A block number > 0 not in use; the lowest freed number first. */
  public long allocateBlockNumber() {
    return numbers.allocate();
  }

  /**
   * Retires {@code blockNumber}: the number is reusable now; its extent (if any) is released at
   * once if no completed checkpoint refers to it, else after the next checkpoint completes.
   *
   * @throws IllegalArgumentException if the number is not in use
   */
  public void freeBlockNumber(long blockNumber) {
    numbers.free(blockNumber);
  }

  /**
   * Writes {@code data[off, off + len)} as the new contents of {@code blockNumber}, copy-on-write:
   * to freshly allocated space, then maps the number to it and retires the previous extent as
   * {@link #freeBlockNumber} does. A block of 0 bytes still occupies one aligned unit.
   *
   * @throws IllegalArgumentException if the number was not handed out by {@link
   *     #allocateBlockNumber} or was freed
   * @throws IllegalStateException if another write or a free of the block ran meanwhile
   * @throws StorageException if the write fails, or an earlier write failed
   */
  public void writeBlock(long blockNumber, byte[] data, int off, int len) {
    writer.write(blockNumber, data, off, len, false);
  }

  /** The numbers of every mapped block, ascending (a copy: as many as the table holds). */
  public long[] mappedBlocks() {
    return numbers.mapped();
  }

  /** The file offset of the block's extent, or -1 if it has none (never written, or freed). */
  public long blockOffsetOrNone(long blockNumber) {
    return numbers.offsetOrNone(blockNumber);
  }

  /** Whether {@code blockNumber} has a written extent. */
  public boolean isMapped(long blockNumber) {
    return numbers.isMapped(blockNumber);
  }

  /** The size in bytes of the block; IllegalArgumentException if unmapped. */
  public int blockSize(long blockNumber) {
    return numbers.entry(blockNumber).size();
  }

  /** The file offset of the block's current extent (for messages); IllegalArgumentException if unmapped. */
  public long blockOffset(long blockNumber) {
    return numbers.entry(blockNumber).offset();
  }

  /**
   * Reads {@code len} bytes of the block starting {@code offsetInBlock} bytes into it.
   *
   * @throws CorruptionException if the block is not mapped (its number came from damaged data),
   *     the range is not inside the block (a length read from disk was bad), or the file ends
   *     before the block does
   */
  public void readBlock(long blockNumber, int offsetInBlock, byte[] dst, int dstOff, int len) {
    reads.read(blockNumber, offsetInBlock, dst, dstOff, len);
  }

  /** The whole block; CorruptionException as in {@link #readBlock(long, int, byte[], int, int)}. */
  public byte[] readBlock(long blockNumber) {
    return reads.read(blockNumber);
  }

  /**
   * The size of a block whose number came from disk (a child pointer, a catalog's root): a
   * {@link CorruptionException} naming the file if it is not mapped, unlike {@link #blockSize}.
   *
   * @param what who refers to the block, for the message
   */
  public int storedBlockSize(long blockNumber, String what) {
    return reads.storedSize(blockNumber, what);
  }

  /**
   * The CRC32C of {@code len} bytes of the block from {@code offsetInBlock}, read through a small
   * buffer: checks a length read from disk against its checksum before anything is allocated by
   * it. CorruptionException as in {@link #readBlock(long, int, byte[], int, int)}.
   *
   * @param crc a checksum that already holds the bytes before {@code offsetInBlock}, or a new one
   */
  public int checksumBlock(long blockNumber, int offsetInBlock, int len, CRC32C crc) {
    return reads.checksum(blockNumber, offsetInBlock, len, crc);
  }

  /**
   * Records that a read of this file found damage (a read here, or a block that did not decode
   * above): from now on no checkpoint begins or completes ({@link CheckpointProtocol}'s invariant
   * 3). The first one is kept.
   */
  public void noteCorruption(CorruptionException e) {
    s.noteCorruption(e);
  }

  /** The first damage a read of this file found since it was opened, or null. */
  public CorruptionException corruption() {
    return s.corruption;
  }

  /**
   * Throws unless checkpoints are allowed: a {@link CorruptionException} naming the first damage
   * a read found ({@link CheckpointProtocol}'s invariant 3), its cause.
   */
  public void checkCheckpointAllowed() {
    checkpointer.checkAllowed();
  }

  /**
   * Moves blocks from the end of the file into free space below them, highest first, copying up
   * to {@code maxBytes}; each move is an ordinary copy-on-write rewrite, so the old extent is
   * released like any other once no checkpoint refers to it, and the file's tail can then be
   * truncated. Does nothing unless at least a quarter of the used space is free. Returns the bytes
   * moved. Safe with writes and frees running: each move re-checks that the block still lives
   * where it was chosen and installs its copy only if no write of the block came in between
   * ({@link TailRelocator}); otherwise that block stays where it is.
   */
  public long relocateTail(long maxBytes) {
    return relocator.relocateTail(maxBytes, false);
  }

  /**
   * {@link #relocateTail} for an explicit compaction: moves every block that fits lower down,
   * however little space is free; a block that fits nowhere below is skipped (the pass goes on
   * with the blocks below it). Returns the bytes moved.
   */
  public long relocateAll() {
    return relocateAll(Long.MAX_VALUE);
  }

  /** {@link #relocateAll}, moving at most {@code maxBytes}: for a file that has gone quiet. */
  public long relocateAll(long maxBytes) {
    return relocator.relocateTail(maxBytes, true);
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
   * @throws CorruptionException if a read found damage since the file was opened
   */
  public void beginCheckpoint() {
    checkpointer.begin();
  }

  /**
   * Writes a block as it was when the checkpoint in progress began (a node the checkpoint writes,
   * or one a writer serializes for the checkpoint before changing it): it goes into the image and
   * becomes the block's current contents too.
   */
  public void writeCheckpointBlock(long blockNumber, byte[] data, int off, int len) {
    writer.write(blockNumber, data, off, len, true);
  }

  /**
   * Completes the checkpoint in progress: seal its image (no block joins it any more), fsync the
   * data, check that every extent of the image lies inside the file, write the image's block
   * table to fresh space, fsync, write the header to slot {@code count % 2}, fsync; then release
   * what no header slot can refer to any more and truncate free space at the end of the file,
   * under the lock ({@link CheckpointProtocol}).
   *
   * @throws StorageException if any step fails (sticky: the file accepts no more writes)
   * @throws CorruptionException if a read found damage since the file was opened, or the image
   *     refers to bytes past the end of the file; nothing is written then
   */
  public void completeCheckpoint(long catalogBlock, long maxMsn, long checkpointLsn) {
    checkpointer.complete(catalogBlock, maxMsn, checkpointLsn);
  }

  /**
   * A new, empty staging of blocks written now and mapped all at once later ({@link StagedBlocks}):
   * what a bulk load writes its tree through, so that a crash before the install leaves nothing.
   */
  public StagedBlocks staging() {
    s.checkOpen();
    return new StagedBlocks(s);
  }

  /**
   * Holds the last completed checkpoint for a copy (hot backup): until the returned copy is
   * closed, nothing that checkpoint refers to is reused or truncated, while writes, frees and
   * later checkpoints go on ({@link CheckpointCopy}). The file grows meanwhile by what is rewritten;
   * the first checkpoint after the close releases that space. Close it in a {@code finally}.
   */
  public CheckpointCopy holdLastCheckpoint() {
    return CheckpointCopy.hold(s);
  }

  /** The file's current size in bytes. */
  public long fileSize() {
    return s.file.size();
  }

  /**
   * Counters: io.bytes_written, io.bytes_read, io.fsyncs, store.blocks, store.free_bytes,
   * store.pending_free_bytes (deferred to the next checkpoint or waiting for reads),
   * store.next_release_bytes (the part of those the next checkpoint to complete would release),
   * store.file_bytes, store.checkpoints, and the tail relocations' blocks (store.relocated_blocks
   * moved, store.relocation_busy left because the block changed or a write was in flight,
   * store.relocation_overtaken dropped because one began during the copy, store.relocation_no_room
   * stopped because nothing below fit, store.merge_moved_blocks moved out of the way so that
   * holes merge: {@link HoleMerger}), and the shape of the free space (store.free_extents,
   * store.free_largest, and the free bytes in extents under 64 KiB, 256 KiB and 1 MiB:
   * store.free_under_64k, store.free_under_256k, store.free_under_1m).
   */
  public Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("io.bytes_written", s.file.bytesWritten.sum());
    m.put("io.bytes_read", s.file.bytesRead.sum());
    m.put("io.fsyncs", s.file.fsyncs.sum());
    s.lock.lock();
    try {
      m.put("store.blocks", (long) s.table.size());
      m.put("store.free_bytes", s.extents.freeBytesLocked());
      m.put("store.pending_free_bytes", s.extents.pendingBytesLocked());
      m.put("store.next_release_bytes", s.extents.releasedByLocked(s.header.checkpointCount() + 1));
      m.put("store.checkpoints", s.checkpoints);
      m.put("store.relocated_blocks", s.relocation[TailRelocator.MOVED]);
      m.put("store.relocation_busy", s.relocation[TailRelocator.BUSY]);
      m.put("store.relocation_overtaken", s.relocation[TailRelocator.OVERTAKEN]);
      m.put("store.relocation_no_room", s.relocation[TailRelocator.NO_ROOM]);
      m.put("store.merge_moved_blocks", s.relocation[TailRelocator.MERGED]);
      long[] shape = s.extents.freeShapeLocked();
      m.put("store.free_extents", shape[0]);
      m.put("store.free_largest", shape[1]);
      m.put("store.free_under_64k", shape[2]);
      m.put("store.free_under_256k", shape[3]);
      m.put("store.free_under_1m", shape[4]);
    } finally {
      s.lock.unlock();
    }
    m.put("store.file_bytes", s.closed ? -1L : s.file.size());
    return m;
  }

  /** Closes the file without checkpointing: writes since the last checkpoint are not durable. */
  @Override
  public void close() {
    if (!s.closed) {
      s.closed = true;
      s.file.close();
    }
  }
}
