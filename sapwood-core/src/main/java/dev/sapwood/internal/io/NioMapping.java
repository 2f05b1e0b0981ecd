package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link NioFile}'s {@link IoMapping}: the file's first {@code size} bytes (the file extended,
 * sparse, to the end of each window as it is mapped, its pages allocated as they are first
 * stored), mapped shared and read-write one
 * {@link #WINDOW} at a time. A store into a page the file system cannot allocate (a full disk) is
 * a fault the JDK raises as an {@link InternalError}; it is thrown as an {@link IOException}.
 *
 * <p>Windows, not one mapping of the whole region: every page stored into a mapping stays in the
 * process's resident set until the mapping is gone, and Java 17 cannot unmap (no Unsafe): a
 * mapping goes when the collector frees its buffer. A log segment mapped whole (64 MiB) therefore
 * put up to 64 MiB of page cache into the process's RSS by the time it was full, plus the full
 * segments whose mappings the collector had not yet freed (docs/benchmarks.md, "Peak RSS and the
 * collector"). So the region is mapped a window at a time as stores reach it; a window the stores
 * have left is kept until the next {@link #force} has forced it (a {@code MappedByteBuffer}'s
 * stores are durable by its own {@code force}), then dropped, and its pages leave the resident
 * set when the collector frees it. What stays resident is the window being stored into, the one
 * before it (a store just behind a window's start does not map it again), and the windows stored
 * since the last force. (The log now maps only each segment's 16 KiB stage slot: one window.)
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
 * re-dirties at most 16 KiB; a store past what was prepared writes its chunks first.
 *
 * <p>Invariants: {@code size <= Integer.MAX_VALUE}; windows start at multiples of {@code window}
 * (a multiple of {@link #CHUNK}) and end there or at {@code size}; stores use absolute positions
 * only, so concurrent stores to disjoint ranges need no lock, and a store that spans two windows
 * is two stores; every window a store used since the last force is {@code current}, {@code
 * previous} or in {@code unforced}, so {@link #force} reaches it. {@code prepared} is a multiple of
 * {@link #CHUNK} (or the size), grows only under {@code prepareLock}, and is past every byte
 * stored: a chunk is zeroed only while nothing was stored in it, before the store that needed it.
 * Chunks below {@code prepared} that no store needed (a store far past the last) stay holes. The
 * windows ({@code current}, {@code previous}, {@code unforced}) change only under the
 * monitor; {@code current} is read without it by a store's fast path. Forces run one at a time
 * under {@code forceLock}, taken before the monitor; once one
 * failed ({@code forceFailure}), every later one throws: a second force of the same pages may
 * succeed without having written what the first lost.
 */
final class NioMapping implements IoMapping {
  /** The unit of the zeros written ahead of the stores (see the class comment). */
  static final int CHUNK = 16 << 10;

  /** Bytes of one window of the mapping (see the class comment). */
  static final int WINDOW = 1 << 20;

  /** One mapped window: file positions {@code [start, end)}. */
  private static final class Window {
    final long start;
    final long end;
    final MappedByteBuffer bytes;

    Window(long start, MappedByteBuffer bytes) {
      this.start = start;
      this.end = start + bytes.capacity();
      this.bytes = bytes;
    }
  }

  private final NioFile file;
  private final long size;
  private final int window;
  /** The window the last store went to, or null; replaced under the monitor. */
  private volatile Window current;
  /** The window before {@code current}, or null; guarded by the monitor. */
  private Window previous;
  /** Windows stores left since the last force, to be forced by the next; guarded by the monitor. */
  private final List<Window> unforced = new ArrayList<>();
  /** Bytes {@code [0, prepared)} are in the page cache or were stored; see the class invariants. */
  private volatile long prepared;
  /** Guards raising {@code prepared} and {@code zeros}: not the monitor, so that a chunk's zeros do not hold up a force. */
  private final Object prepareLock = new Object();
  /** CHUNK zeros, written by position; guarded by prepareLock. */
  private ByteBuffer zeros;
  /** Serializes the forces (see the class invariants); taken before the monitor. */
  private final Object forceLock = new Object();
  /** The first force that failed, or null; guarded by forceLock. */
  private IOException forceFailure;

  /**
   * A mapping of {@code file}'s first {@code size} bytes in windows of {@code window} bytes; mapping
   * a window extends the file to the window's end ({@code FileChannel.map}), so a store never
   * reaches past the file.
   */
  NioMapping(NioFile file, long size, int window) {
    if (window <= 0 || window % CHUNK != 0 || size < 0 || size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("window " + window + ", size " + size);
    }
    this.file = file;
    this.size = size;
    this.window = window;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void put(long position, ByteBuffer src) throws IOException {
    int len = src.remaining();
    store(position, src, null, src.position(), len);
    src.position(src.limit());
  }

  @Override
  public void put(long position, byte[] src, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, src.length);
    store(position, null, src, off, len);
  }

  /** Stores {@code len} bytes from {@code off} of {@code buf} or, if it is null, of {@code array}. */
  private void store(long position, ByteBuffer buf, byte[] array, int off, int len) throws IOException {
    if (position < 0 || position > size - len) {
      throw new IllegalArgumentException(len + " bytes at " + position + " pass the mapping's " + size
          + " of " + file.name());
    }
    if (position + len > prepared) {
      prepare(position, position + len);
    }
    long at = position;
    long end = position + len;
    try {
      while (at < end) {
        Window w = current;
        if (w == null || at < w.start || at >= w.end) {
          w = windowAt(at);
        }
        int n = (int) (Math.min(end, w.end) - at);
        if (buf != null) {
          w.bytes.put((int) (at - w.start), buf, off, n);
        } else {
          w.bytes.put((int) (at - w.start), array, off, n);
        }
        off += n;
        at += n;
      }
    } catch (InternalError e) {
      throw new IOException("a store into the mapping of " + file.name() + " at " + at + " failed", e);
    }
  }

  /** The window holding {@code position}, made {@code current}: {@code previous}, or mapped now. */
  private synchronized Window windowAt(long position) throws IOException {
    Window c = current;
    if (c != null && position >= c.start && position < c.end) {
      return c;
    }
    Window w;
    if (previous != null && position >= previous.start && position < previous.end) {
      w = previous;
    } else {
      long start = position / window * window;
      w = new Window(start, file.mapWindow(start, Math.min(window, size - start)));
      if (previous != null) {
        unforced.add(previous);
      }
    }
    previous = c;
    current = w;
    return w;
  }

  /** Windows mapped and held (tests: what may stay resident). */
  synchronized int windowsHeld() {
    return (current != null ? 1 : 0) + (previous != null ? 1 : 0) + unforced.size();
  }

  /**
   * Writes zeros over the chunks of {@code [from, to)} not yet prepared (none of them holds a
   * stored byte: every store first prepared its chunks), then marks them prepared.
   */
  private void prepare(long from, long to) throws IOException {
    synchronized (prepareLock) {
      long at = Math.max(prepared, from / CHUNK * CHUNK);
      long end = Math.min(size, (to + CHUNK - 1) / CHUNK * CHUNK);
      while (at < end) {
        at += zeroChunkLocked(at, end);
      }
      if (end > prepared) {
        prepared = end;
      }
    }
  }

  /** Writes zeros over {@code [at, min(at + CHUNK, end))}; returns how many bytes. */
  private int zeroChunkLocked(long at, long end) throws IOException {
    if (zeros == null) {
      zeros = ByteBuffer.allocateDirect(CHUNK);
    }
    int n = (int) Math.min(CHUNK, end - at);
    zeros.clear().limit(n);
    file.write(at, zeros);
    return n;
  }

  /**
   * Forces every window stored into since the last force, then the file; the windows stores have
   * left are dropped once forced.
   */
  @Override
  public void force() throws IOException {
    synchronized (forceLock) {
      checkNotFailedLocked();
      List<Window> windows = new ArrayList<>();
      synchronized (this) {
        windows.addAll(unforced);
        if (previous != null) {
          windows.add(previous);
        }
        if (current != null) { // never previous: see windowAt
          windows.add(current);
        }
      }
      forceLocked(windows);
      try {
        file.force();
      } catch (IOException e) {
        forceFailure = e;
        throw e;
      }
    }
  }

  /** Forces {@code windows}, then drops those of them stores have left; a failure is kept. */
  private void forceLocked(List<Window> windows) throws IOException {
    try {
      for (Window w : windows) {
        w.bytes.force();
      }
    } catch (java.io.UncheckedIOException e) {
      forceFailure = e.getCause();
      throw e.getCause();
    }
    synchronized (this) {
      // By identity: a window is one mapping (Window keeps Object's equals).
      unforced.removeAll(windows);
    }
  }

  private void checkNotFailedLocked() throws IOException {
    if (forceFailure != null) {
      throw new IOException("an earlier force of the mapping of " + file.name() + " failed", forceFailure);
    }
  }
}
