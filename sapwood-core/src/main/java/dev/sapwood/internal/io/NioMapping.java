package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * A {@link NioFile}'s {@link IoMapping}: a shared read-write {@code MappedByteBuffer} over the
 * file's first {@code size} bytes (the JDK extends the file to them: a sparse tail, allocated as
 * pages are first stored). A store into a page the file system cannot allocate (a full disk) is
 * a fault the JDK raises as an {@link InternalError}; it is thrown as an {@link IOException}.
 *
 * <p>Small page-cache folios for the stores: before the first store into a {@link #CHUNK}-aligned
 * chunk of the region, the chunk is written with zeros through the file ({@code pwrite}), so its
 * page-cache pages are made by a 16 KiB write instead of by the store's page fault. A fault on a
 * hole of a file system with large folios (ext4 in recent kernels: this machine runs Linux 6.18)
 * reads the hole around with the device's readahead into folios of up to 2 MiB, and a folio is
 * dirtied whole: with the log appending into the mapping and synced every second, each sync cleaned
 * the folio holding the tail, the next store dirtied all of it again, and the process's {@code
 * write_bytes} counted up to 2 MiB more per sync (docs/design.md, "Mapped log segments"). With
 * chunks of 16 KiB written first, the pages sit in folios no larger than the write, and a sync
 * re-dirties at most 16 KiB.
 *
 * <p>Invariants: {@code size <= Integer.MAX_VALUE} (one buffer); stores use absolute positions only,
 * so concurrent stores to disjoint ranges need no lock; {@code prepared} is a multiple of {@link
 * #CHUNK} (or the size), grows only under the mapping's monitor, and is past every byte stored:
 * a chunk is zeroed only while nothing was stored in it, and before the store that made it
 * needed. Chunks below {@code prepared} that no store needed (a store far past the last) stay
 * holes.
 */
final class NioMapping implements IoMapping {
  /** The unit of the zeros written ahead of the stores (see the class comment). */
  static final int CHUNK = 16 << 10;

  private final NioFile file;
  private final MappedByteBuffer bytes;
  /** Bytes {@code [0, prepared)} are in the page cache or were stored; see the class invariants. */
  private volatile long prepared;
  /** CHUNK zeros, written by position; guarded by the monitor. */
  private ByteBuffer zeros;

  NioMapping(NioFile file, MappedByteBuffer bytes) {
    this.file = file;
    this.bytes = bytes;
  }

  @Override
  public long size() {
    return bytes.capacity();
  }

  @Override
  public void put(long position, ByteBuffer src) throws IOException {
    int len = src.remaining();
    if (position < 0 || position > bytes.capacity() - len) {
      throw new IllegalArgumentException(len + " bytes at " + position + " pass the mapping's " + bytes.capacity()
          + " of " + file.name());
    }
    if (position + len > prepared) {
      prepare(position, position + len);
    }
    try {
      bytes.put((int) position, src, src.position(), len);
    } catch (InternalError e) {
      throw new IOException("a store into the mapping of " + file.name() + " at " + position + " failed", e);
    }
    src.position(src.limit());
  }

  /**
   * Writes zeros over the chunks of {@code [from, to)} not yet prepared (none of them holds a
   * stored byte: every store first prepared its chunks), then marks them prepared.
   */
  private synchronized void prepare(long from, long to) throws IOException {
    long at = Math.max(prepared, from / CHUNK * CHUNK);
    long end = Math.min(bytes.capacity(), (to + CHUNK - 1) / CHUNK * CHUNK);
    if (zeros == null) {
      zeros = ByteBuffer.allocateDirect(CHUNK);
    }
    while (at < end) {
      int n = (int) Math.min(CHUNK, end - at);
      zeros.clear().limit(n);
      file.write(at, zeros);
      at += n;
    }
    if (end > prepared) {
      prepared = end;
    }
  }

  @Override
  public void force() throws IOException {
    try {
      bytes.force();
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    file.force();
  }
}
