package dev.sapwood.internal.store;

import dev.sapwood.CorruptionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state a {@link BlockFile} shares with the parts it delegates to ({@link BlockReads}, {@link
 * BlockWriter}, {@link TailRelocator}, {@link CheckpointProtocol}): the open file, the lock, and
 * the fields the lock guards, with the few steps every part needs (a read's enter and leave, damage
 * noted, the newest image an extent may be in).
 *
 * <p>Invariants: {@code lock} guards every mutable field below it except {@code closed} and {@code
 * corruption} (volatile: read without it, written under it); methods ending in {@code Locked}
 * require it. A block number is mapped in {@code table} only while it is in use in {@code numbers};
 * {@code image} is non-null exactly while a checkpoint is in progress, and {@code imageSealed} only
 * then; {@code writesInFlight} counts extents allocated and not yet installed or released, by
 * writes and by a tail relocation.
 */
final class BlockFileState {
  final StickyFile file;
  volatile boolean closed;

  final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock:
  Header header;
  Header.Settings settings; // the tree shape the next checkpoint's header records
  final BlockTable table;
  final BlockNumberPool numbers;
  final ExtentReclaimer extents;
  long checkpoints;
  BlockTable image; // the table as the checkpoint in progress saw it, or null
  boolean imageSealed; // the checkpoint in progress takes no more blocks (see CheckpointProtocol)
  int writesInFlight; // allocated, not yet installed
  long relocating; // the block a tail relocation is copying, or 0
  boolean relocationOvertaken; // a write or free of that block began meanwhile
  final long[] relocation = new long[5]; // blocks moved, left busy, overtaken, no room below, moved to merge holes (TailRelocator)
  volatile CorruptionException corruption; // the first damage a read found, or null

  BlockFileState(BlockFileLoader.Loaded l) {
    this.file = l.file();
    this.header = l.header();
    this.settings = header.settings();
    this.table = l.table();
    this.numbers = l.numbers();
    this.extents = new ExtentReclaimer(l.space());
  }

  String name() {
    return file.name();
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException(name() + ": block file is closed");
    }
  }

  /** The number of the newest checkpoint whose image may refer to an extent retired now. */
  long newestImageLocked() {
    return header.checkpointCount() + (image != null ? 1 : 0);
  }

  /**
   * Maps {@code blockNumber} to {@code entry} in place of {@code seen} (the entry the caller saw
   * and re-checked under the lock, or null), and retires {@code seen}'s extent: at once, or once no
   * checkpoint image may refer to it.
   */
  void installLocked(long blockNumber, BlockTable.Entry seen, BlockTable.Entry entry) {
    table.put(blockNumber, entry);
    if (seen != null) {
      extents.retireLocked(seen.offset(), seen.extentLength(), seen.checkpointed(), newestImageLocked());
    }
  }

  /**
   * Ends a write (or a relocation's copy) counted in {@code writesInFlight} since it allocated
   * {@code length} bytes at {@code at}: the count drops, and an extent never installed is free
   * again (it was never mapped, so no checkpoint or reader can refer to it).
   */
  void endWriteLocked(long at, long length, boolean installed) {
    writesInFlight--;
    if (!installed) {
      extents.retireLocked(at, length, false, 0);
    }
  }

  /** Records the first damage a read found: no checkpoint begins or completes after it. */
  void noteCorruption(CorruptionException e) {
    lock.lock();
    try {
      if (corruption == null) {
        corruption = e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The block's entry for a read, looked up without the lock (so a read does not wait for
   * whole-table work done under it); REQUIRES: the caller called {@code extents.enterRead()} first,
   * which keeps the extent of the entry it finds from being reused until it leaves.
   */
  BlockTable.Entry lookupForRead(long blockNumber) {
    BlockTable.Entry e = table.get(blockNumber); // no lock: see BlockIndex
    if (e == null) {
      throw new CorruptionException(file.name(), -1, "block " + blockNumber + " is not mapped");
    }
    return e;
  }

  /** Ends a read begun with {@code extents.enterRead()}; the last one out drains limbo. */
  void leaveRead() {
    if (extents.leaveRead()) {
      lock.lock();
      try {
        extents.drainLimboLocked();
      } finally {
        lock.unlock();
      }
    }
  }
}
