package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.extentLength;
import static dev.sapwood.internal.store.BlockFileFormat.slotOffset;

import dev.sapwood.CorruptionException;

/**
 * The checkpoint protocol of a {@link BlockFile}: take the image (the block table as it is when
 * the checkpoint begins), let blocks written for the checkpoint join it, seal it, fsync the data,
 * write the image's table to fresh space, fsync, write the header slot, fsync; then release what
 * no header slot can refer to any more and cut the free tail off the file.
 *
 * <p>Invariants: (1) the file is truncated only while the lock is held, to the allocator's end
 * just trimmed: deciding where the file ends and cutting it there are one step, so no block can be
 * allocated, written and mapped at or past the cut before the cut is made (the space would come
 * back as zeros, or not at all); (2) the image is sealed before the data is fsynced: no block
 * joins it after that fsync ({@link BlockWriter} refuses to install into a sealed image); (3) once
 * a read found damage ({@link BlockFile#noteCorruption}), no checkpoint begins or completes: a
 * checkpoint must not make durable a table that may refer to a block that cannot be read back;
 * nor one whose extents end past the file; (4) a checkpoint begins only with no write in flight,
 * so the image misses no block written but not yet mapped.
 */
final class CheckpointProtocol {
  private final BlockFileState s;

  CheckpointProtocol(BlockFileState s) {
    this.s = s;
  }

  /**
   * Throws unless checkpoints are allowed: a {@link CorruptionException} naming the first damage
   * a read found (invariant 3), its cause.
   */
  void checkAllowed() {
    CorruptionException first = s.corruption;
    if (first != null) {
      throw new CorruptionException(first.file(), first.offset(), "checkpoint refused: a read found"
          + " damage, and a checkpoint must not make durable a block table that may refer to a block"
          + " that cannot be read back; the first damage: " + first.getMessage(), first);
    }
  }

  /** {@link BlockFile#beginCheckpoint}. */
  void begin() {
    s.checkOpen();
    s.file.checkWritable();
    checkAllowed();
    s.lock.lock();
    try {
      if (s.image != null) {
        throw new IllegalStateException("a checkpoint is already in progress");
      }
      if (s.writesInFlight > 0) {
        // Invariant (4): the image would miss a block written but not yet mapped.
        throw new IllegalStateException(s.name() + ": " + s.writesInFlight
            + " block writes in flight as a checkpoint begins");
      }
      s.table.markAllCheckpointed();
      s.image = s.table.copy();
    } finally {
      s.lock.unlock();
    }
  }

  /** {@link BlockFile#completeCheckpoint}. */
  void complete(long catalogBlock, long maxMsn, long checkpointLsn) {
    s.checkOpen();
    checkAllowed();
    s.lock.lock();
    try {
      if (s.image == null) {
        throw new IllegalStateException("no checkpoint in progress");
      }
      s.imageSealed = true; // invariant (2)
    } finally {
      s.lock.unlock();
    }
    s.file.force();
    byte[] bytes;
    long at;
    Header next;
    s.lock.lock();
    try {
      checkImageInsideFileLocked();
      Header old = s.header;
      long count = old.checkpointCount() + 1;
      bytes = BlockTableEncoding.encode(count, s.image.sorted());
      at = s.extents.allocateLocked(extentLength(bytes.length));
      Header.Settings settings = s.settings;
      next = new Header(FormatVersion.CURRENT, count, checkpointLsn, catalogBlock, maxMsn,
          settings.nodeSize(), settings.basementSize(), settings.fanout(), settings.compression(),
          old.createdMillis(), System.currentTimeMillis(), at, bytes.length, s.numbers.next());
    } finally {
      s.lock.unlock();
    }
    s.file.write(at, bytes, 0, bytes.length);
    s.file.force();
    byte[] slot = HeaderEncoding.encode(next);
    s.file.write(slotOffset(next.slot()), slot, 0, slot.length);
    s.file.force();
    s.lock.lock();
    try {
      s.header = next;
      s.image = null;
      s.imageSealed = false;
      s.checkpoints++;
      long end = s.extents.checkpointCompletedLocked(next.checkpointCount(), at, extentLength(bytes.length));
      // Invariant (1): cut the file while no one can allocate at or past the new end.
      if (s.file.size() > end) {
        s.file.truncate(end);
      }
    } finally {
      s.lock.unlock();
    }
  }

  /** Invariant (3): the image's extents all lie inside the file, else damage is noted and thrown. */
  private void checkImageInsideFileLocked() {
    long imageEnd = 0;
    for (BlockTable.Entry e : s.image.sorted().values()) {
      imageEnd = Math.max(imageEnd, e.offset() + e.size());
    }
    long size = s.file.size();
    if (imageEnd > size) {
      CorruptionException e = new CorruptionException(s.file.name(), size, "the checkpoint's block table"
          + " refers to bytes up to offset " + imageEnd + " but the file ends at " + size);
      s.noteCorruption(e);
      checkAllowed();
    }
  }
}
