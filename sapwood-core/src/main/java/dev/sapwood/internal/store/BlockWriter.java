package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.extentLength;

import java.util.Objects;

/**
 * The copy-on-write block writes of a {@link BlockFile}: space is allocated under the lock, the
 * bytes are written without it, and the new extent is installed under it again, retiring the
 * previous one.
 *
 * <p>Invariants: (1) a write installs its extent only if the block's entry is still the one it saw
 * when it allocated: one write of a block at a time and no free during it (the node latch
 * guarantees that; checked, an {@link IllegalStateException} otherwise), and a write or free of
 * the block a tail relocation is copying marks the relocation overtaken, so the relocation drops
 * its copy instead of installing it over the newer write ({@link TailRelocator}); (2) a write for
 * the checkpoint image installs only into the image it saw and only while that image is not
 * sealed ({@link CheckpointProtocol}'s invariant 2); (3) an extent allocated and never installed is
 * released, and {@code writesInFlight} counts the write from its allocation to either end.
 */
final class BlockWriter {
  private final BlockFileState s;

  BlockWriter(BlockFileState s) {
    this.s = s;
  }

  /** Writes a block copy-on-write; {@code forImage}: into the checkpoint image as well. */
  void write(long blockNumber, byte[] data, int off, int len, boolean forImage) {
    Objects.checkFromIndexSize(off, len, data.length);
    s.checkOpen();
    s.file.checkWritable();
    long at;
    BlockTable.Entry seen;
    BlockTable target;
    s.lock.lock();
    try {
      if (!s.numbers.isInUse(blockNumber)) {
        throw new IllegalArgumentException("block number " + blockNumber + " is not in use");
      }
      target = forImage ? openImageLocked() : null;
      seen = s.table.get(blockNumber);
      s.relocationOvertaken |= blockNumber == s.relocating;
      at = s.extents.allocateLocked(extentLength(len));
      s.writesInFlight++;
    } finally {
      s.lock.unlock();
    }
    boolean installed = false;
    try {
      s.file.write(at, data, off, len);
      s.lock.lock();
      try {
        // Invariants (1) and (2): nobody wrote or freed this block meanwhile; the image is the same one.
        if (s.table.get(blockNumber) != seen || !s.numbers.isInUse(blockNumber)
            || (forImage && (s.image != target || s.imageSealed))) {
          throw new IllegalStateException(s.name() + ": block " + blockNumber
              + " was written, freed or its checkpoint completed while this write of it was in flight");
        }
        BlockTable.Entry entry = new BlockTable.Entry(at, len, forImage);
        if (forImage) {
          s.image.put(blockNumber, entry);
        }
        s.installLocked(blockNumber, seen, entry);
        installed = true;
      } finally {
        s.lock.unlock();
      }
    } finally {
      s.lock.lock();
      try {
        s.endWriteLocked(at, extentLength(len), installed);
      } finally {
        s.lock.unlock();
      }
    }
  }

  /** The image of the checkpoint in progress, if it still takes blocks. */
  private BlockTable openImageLocked() {
    if (s.image == null) {
      throw new IllegalStateException("no checkpoint in progress");
    }
    if (s.imageSealed) {
      throw new IllegalStateException("the checkpoint in progress is completing and takes no more blocks");
    }
    return s.image;
  }
}
