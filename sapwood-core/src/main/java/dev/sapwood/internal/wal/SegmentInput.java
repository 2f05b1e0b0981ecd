package dev.sapwood.internal.wal;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.io.IoFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads one log segment through a window of fixed size, so that reading a segment of any size (a
 * sparse file of gigabytes included) costs that window and no more (a small segment, less). {@link #window(long, int)}
 * makes a short range available in {@link #buffer()}; longer ranges are checksummed and copied in
 * window-sized steps.
 *
 * <p>Invariants: the window holds {@code [windowStart, windowStart + windowLen)} of the file;
 * every requested range lies within {@link #size()} (callers check lengths against it first).
 * Not thread-safe; one per recovery.
 */
final class SegmentInput {
  private final int capacity;
  private byte[] buf = new byte[0];
  private IoFile file;
  private String name;
  private long size;
  private long windowStart;
  private int windowLen;

  /** A window of up to {@code windowBytes}, allocated as large as the segments read need. */
  SegmentInput(int windowBytes) {
    this.capacity = windowBytes;
  }

  /** Starts reading {@code f} (the caller closes it); {@link #buffer()} may change here only. */
  void reset(IoFile f, String fileName) throws IOException {
    this.file = f;
    this.name = fileName;
    this.size = f.size();
    int need = (int) Math.max(4096, Math.min(capacity, size));
    if (buf.length < need) {
      buf = new byte[need];
    }
    this.windowStart = 0;
    this.windowLen = 0;
  }

  long size() {
    return size;
  }

  String name() {
    return name;
  }

  int capacity() {
    return buf.length;
  }

  byte[] buffer() {
    return buf;
  }

  /**
   * Makes bytes {@code [pos, pos + n)} available in {@link #buffer()} and returns the index of
   * {@code pos} there; {@code n <= capacity()} and {@code pos + n <= size()}.
   */
  int window(long pos, int n) {
    if (n > buf.length || pos < 0 || pos + n > size) {
      throw new IllegalArgumentException("window " + pos + "+" + n + " of " + size + " (" + buf.length + ")");
    }
    if (pos < windowStart || pos + n > windowStart + windowLen) {
      int want = (int) Math.min(buf.length, size - pos);
      fill(pos, ByteBuffer.wrap(buf, 0, want));
      windowStart = pos;
      windowLen = want;
    }
    return (int) (pos - windowStart);
  }

  /** The CRC32C of {@code [pos, pos + len)}, read a window at a time. */
  int crc32c(long pos, long len) {
    CRC32C crc = new CRC32C();
    long done = 0;
    while (done < len) {
      int n = (int) Math.min(buf.length, len - done);
      int i = window(pos + done, n);
      crc.update(buf, i, n);
      done += n;
    }
    return (int) crc.getValue();
  }

  /** Copies {@code [pos, pos + dst.length)} into {@code dst}. */
  void read(long pos, byte[] dst, int off, int len) {
    if (len <= buf.length) {
      int i = window(pos, len);
      System.arraycopy(buf, i, dst, off, len);
    } else {
      if (pos < 0 || pos + len > size) {
        throw new IllegalArgumentException("read " + pos + "+" + len + " of " + size);
      }
      fill(pos, ByteBuffer.wrap(dst, off, len));
    }
  }

  /**
   * Whether every byte of {@code [from, to)} is zero, read forwards a window at a time and stopping
   * at the first non-zero byte.
   */
  boolean allZero(long from, long to) {
    for (long p = from; p < to; ) {
      int n = (int) Math.min(buf.length, to - p);
      int i = window(p, n);
      for (int k = 0; k < n; k += ZEROS.length) {
        int m = Math.min(ZEROS.length, n - k);
        if (Arrays.mismatch(buf, i + k, i + k + m, ZEROS, 0, m) >= 0) {
          return false;
        }
      }
      p += n;
    }
    return true;
  }

  /**
   * The end of the data in {@code [from, to)}: the offset just past its last non-zero byte, or
   * {@code from} if every byte is zero. Read backwards a window at a time, so a preallocated
   * segment's zero tail costs one comparison pass and its data nothing more.
   */
  long dataEnd(long from, long to) {
    for (long end = to; end > from; ) {
      int n = (int) Math.min(buf.length, end - from);
      int i = window(end - n, n);
      for (int k = i + n; k > i; ) {
        int m = Math.min(ZEROS.length, k - i);
        if (Arrays.mismatch(buf, k - m, k, ZEROS, 0, m) >= 0) {
          int j = k - 1;
          while (buf[j] == 0) {
            j--;
          }
          return end - n + (j - i) + 1;
        }
        k -= m;
      }
      end -= n;
    }
    return from;
  }

  private static final byte[] ZEROS = new byte[4096];

  private void fill(long pos, ByteBuffer dst) {
    long at = pos;
    try {
      while (dst.hasRemaining()) {
        int n = file.read(at, dst);
        if (n < 0) {
          throw new CorruptionException(name, at, "log segment shrank while it was read");
        }
        at += n;
      }
    } catch (IOException e) {
      throw new dev.sapwood.StorageException("cannot read " + name + " at " + at + ": " + e.getMessage(), e);
    }
  }
}
