package dev.sapwood.internal.store;

/**
 * The block numbers of a {@link BlockFile}: handing them out and retiring them, and which are
 * mapped to an extent and to which entry.
 *
 * <p>Invariants: a number is mapped in the table only while it is in use in the pool (retiring a
 * number unmaps it); a retired block's extent goes to the reclaimer, which holds it back while the
 * last completed checkpoint or a read in flight may refer to it (BlockFile's invariants 1 and 2); a
 * number retired while a tail relocation copies it marks that relocation overtaken, so it does not
 * install ({@link TailRelocator}). Every method takes the state's lock; none does I/O.
 */
final class BlockNumbers {
  private final BlockFileState s;

  BlockNumbers(BlockFileState s) {
    this.s = s;
  }

  /** {@link BlockFile#allocateBlockNumber}. */
  long allocate() {
    s.checkOpen();
    s.lock.lock();
    try {
      return s.numbers.allocate();
    } finally {
      s.lock.unlock();
    }
  }

  /** {@link BlockFile#freeBlockNumber}. */
  void free(long blockNumber) {
    s.checkOpen();
    s.lock.lock();
    try {
      s.numbers.release(blockNumber);
      s.relocationOvertaken |= blockNumber == s.relocating;
      BlockTable.Entry old = s.table.remove(blockNumber);
      if (old != null) {
        s.extents.retireLocked(old.offset(), old.extentLength(), old.checkpointed(), s.newestImageLocked());
      }
    } finally {
      s.lock.unlock();
    }
  }

  /** {@link BlockFile#mappedBlocks}. */
  long[] mapped() {
    s.lock.lock();
    try {
      long[] out = new long[s.table.size()];
      int i = 0;
      for (long b : s.table.sorted().keySet()) {
        out[i++] = b;
      }
      return out;
    } finally {
      s.lock.unlock();
    }
  }

  /** {@link BlockFile#isMapped}. */
  /** The file offset of the block's extent, or -1 if it has none: one lookup, no exception. */
  long offsetOrNone(long blockNumber) {
    s.lock.lock();
    try {
      BlockTable.Entry e = s.table.get(blockNumber);
      return e == null ? -1 : e.offset();
    } finally {
      s.lock.unlock();
    }
  }

  boolean isMapped(long blockNumber) {
    s.lock.lock();
    try {
      return s.table.get(blockNumber) != null;
    } finally {
      s.lock.unlock();
    }
  }

  /** The entry of a mapped block; IllegalArgumentException if unmapped. */
  BlockTable.Entry entry(long blockNumber) {
    s.lock.lock();
    try {
      BlockTable.Entry e = s.table.get(blockNumber);
      if (e == null) {
        throw new IllegalArgumentException(s.name() + ": block " + blockNumber + " is not mapped");
      }
      return e;
    } finally {
      s.lock.unlock();
    }
  }
}
