package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.DATA_START;
import static dev.sapwood.internal.store.BlockFileFormat.slotOffset;

import dev.sapwood.StorageException;
import dev.sapwood.internal.io.IoFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A copy of a {@link BlockFile}'s last completed checkpoint into another file while the database
 * runs (hot backup): the checkpoint's block table and every block it maps, each at the offset it
 * has in the source, and its header in both slots. The copy is a block file that opens as that
 * checkpoint; unmapped space is left as holes.
 *
 * <p>Invariants: from {@link BlockFile#holdLastCheckpoint} to {@link #close}, the reclaimer keeps
 * every deferred extent deferred ({@link ExtentReclaimer}'s invariant 5), so nothing the held
 * checkpoint refers to — its table, its blocks — is reused, overwritten or truncated, whatever
 * writers, evictions, relocations and later checkpoints do meanwhile; the copy reads those extents
 * without the lock and without counting itself as a reader. Not thread-safe: one thread copies.
 */
public final class CheckpointCopy implements AutoCloseable {
  /** Bytes read and written per step. */
  static final int CHUNK = 1 << 20;

  private final BlockFileState s;
  private final Header header;
  private boolean closed;

  private CheckpointCopy(BlockFileState s, Header header) {
    this.s = s;
    this.header = header;
  }

  /** Takes the hold; see {@link BlockFile#holdLastCheckpoint}. */
  static CheckpointCopy hold(BlockFileState s) {
    s.checkOpen();
    s.lock.lock();
    try {
      s.extents.holdLocked();
      return new CheckpointCopy(s, s.header);
    } finally {
      s.lock.unlock();
    }
  }

  /** The header of the checkpoint held. */
  public Header header() {
    return header;
  }

  /**
   * Writes the held checkpoint into {@code target} (empty) and fsyncs it: every mapped block and
   * the table at their offsets, then the header into both slots, so a file cut short by a crash of
   * the copy has no valid header. Returns the bytes copied.
   *
   * @throws IOException if a write or fsync of {@code target} fails
   * @throws StorageException if a read of the source fails
   * @throws dev.sapwood.CorruptionException if the source's table does not read back as written
   */
  public long copyTo(IoFile target) throws IOException {
    if (closed) {
      throw new IllegalStateException("the checkpoint copy was closed");
    }
    s.checkOpen();
    byte[] table = new byte[header.blockTableSize()];
    s.file.readFully(header.blockTableOffset(), table, 0, table.length, "the block table");
    TreeMap<Long, BlockTable.Entry> entries =
        BlockTableEncoding.decode(table, s.name(), header, s.file.size());
    List<long[]> extents = new ArrayList<>(entries.size());
    for (Map.Entry<Long, BlockTable.Entry> e : entries.entrySet()) {
      extents.add(new long[] {e.getValue().offset(), e.getValue().size()});
    }
    extents.sort((a, b) -> Long.compare(a[0], b[0]));
    byte[] buf = new byte[CHUNK];
    long copied = 0;
    long end = header.blockTableOffset() + table.length;
    for (long[] x : extents) {
      copied += copyRange(target, x[0], x[1], buf);
      end = Math.max(end, x[0] + x[1]);
    }
    write(target, header.blockTableOffset(), table, table.length);
    copied += table.length;
    if (target.size() < end) {
      // An empty block last: the file must reach its offset, as the source's does.
      write(target, end - 1, new byte[1], 1);
    }
    target.force();
    byte[] slot = HeaderEncoding.encode(header);
    write(target, 0, slot, slot.length);
    write(target, slotOffset(1), slot, slot.length);
    target.force();
    return copied + 2L * slot.length;
  }

  private long copyRange(IoFile target, long offset, long length, byte[] buf) throws IOException {
    if (offset < DATA_START) {
      throw new IllegalStateException(s.name() + ": block at offset " + offset + " inside the header slots");
    }
    long done = 0;
    while (done < length) {
      int n = (int) Math.min(buf.length, length - done);
      s.file.readFully(offset + done, buf, 0, n, "a block of the checkpoint being copied");
      write(target, offset + done, buf, n);
      done += n;
    }
    return length;
  }

  private static void write(IoFile target, long at, byte[] b, int len) throws IOException {
    target.write(at, ByteBuffer.wrap(b, 0, len));
  }

  /** Lets go of the hold: the space the checkpoint kept is released by a later checkpoint. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    s.lock.lock();
    try {
      s.extents.releaseHoldLocked();
    } finally {
      s.lock.unlock();
    }
  }
}
