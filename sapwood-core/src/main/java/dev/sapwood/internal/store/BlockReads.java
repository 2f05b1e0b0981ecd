package dev.sapwood.internal.store;

import dev.sapwood.CorruptionException;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The reads of a {@link BlockFile}: whole blocks, ranges of them, checksums of ranges, and the size
 * of a block whose number came from disk. Every length is checked against the block's entry before
 * it is used, and a block that is not mapped is a {@link CorruptionException} (its number came from
 * damaged data).
 *
 * <p>Invariants: every read counts itself in ({@code extents.enterRead()}) before it looks its
 * extent up and out after its last byte, so the extent is not reused under it (BlockFile's
 * invariant 2); a read that finds damage notes it before it throws, so no checkpoint can make
 * durable a table referring to the damaged block (CheckpointProtocol's invariant 3). Thread-safe:
 * reads may run at any time, with writes, frees, relocation and checkpoints.
 */
final class BlockReads {
  private final BlockFileState s;

  BlockReads(BlockFileState s) {
    this.s = s;
  }

  /** {@link BlockFile#readBlock(long, int, byte[], int, int)}. */
  void read(long blockNumber, int offsetInBlock, byte[] dst, int dstOff, int len) {
    s.extents.enterRead();
    try {
      BlockTable.Entry e = s.lookupForRead(blockNumber);
      checkRange(blockNumber, e, offsetInBlock, len, "read");
      Objects.checkFromIndexSize(dstOff, len, dst.length);
      s.file.readFully(e.offset() + offsetInBlock, dst, dstOff, len, "block ", blockNumber);
    } catch (CorruptionException e) {
      s.noteCorruption(e);
      throw e;
    } finally {
      s.leaveRead();
    }
  }

  /** {@link BlockFile#readBlock(long)}. */
  byte[] read(long blockNumber) {
    s.extents.enterRead();
    try {
      BlockTable.Entry e = s.lookupForRead(blockNumber);
      byte[] out = new byte[e.size()];
      readEntered(blockNumber, e, out);
      return out;
    } catch (CorruptionException e) {
      s.noteCorruption(e);
      throw e;
    } finally {
      s.leaveRead();
    }
  }

  /**
   * Reads the bytes of the extent {@code seen} (the block's entry when the caller looked) into the
   * start of {@code into}, at least {@code seen.size()} long, for a tail relocation copying it;
   * damage is noted as for any read. Returns the bytes read, {@code seen.size()}.
   */
  int readExtent(long blockNumber, BlockTable.Entry seen, byte[] into) {
    s.extents.enterRead();
    try {
      readEntered(blockNumber, seen, into);
      return seen.size();
    } catch (CorruptionException e) {
      s.noteCorruption(e);
      throw e;
    } finally {
      s.leaveRead();
    }
  }

  /** Reads extent {@code e} of the block into the start of {@code into}; the caller counted itself in. */
  private void readEntered(long blockNumber, BlockTable.Entry e, byte[] into) {
    s.file.readFully(e.offset(), into, 0, e.size(), "block ", blockNumber);
  }

  /** {@link BlockFile#checksumBlock}. */
  int checksum(long blockNumber, int offsetInBlock, int len, CRC32C crc) {
    s.extents.enterRead();
    try {
      BlockTable.Entry e = s.lookupForRead(blockNumber);
      checkRange(blockNumber, e, offsetInBlock, len, "checksum");
      s.file.checksum(e.offset() + offsetInBlock, len, crc, "block ", blockNumber);
      return (int) crc.getValue();
    } finally {
      s.leaveRead();
    }
  }

  /**
   * {@link BlockFile#storedBlockSize}: looked up without the lock ({@link BlockIndex}); the size is
   * the block's as of some instant during the call, and the read that follows checks its range
   * against the entry it finds then.
   */
  int storedSize(long blockNumber, String what) {
    BlockTable.Entry e = s.table.get(blockNumber);
    if (e == null) {
      throw new CorruptionException(s.file.name(), -1,
          what + " refers to block " + blockNumber + ", which is not in the block table");
    }
    return e.size();
  }

  private void checkRange(long blockNumber, BlockTable.Entry e, int offsetInBlock, int len, String op) {
    if (offsetInBlock < 0 || len < 0 || (long) offsetInBlock + len > e.size()) {
      throw new CorruptionException(s.file.name(), e.offset(), "block " + blockNumber
          + ": " + op + " of " + len + " bytes at " + offsetInBlock + " is outside its "
          + e.size() + " bytes");
    }
  }
}
