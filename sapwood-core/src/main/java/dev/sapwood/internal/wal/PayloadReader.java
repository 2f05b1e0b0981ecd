package dev.sapwood.internal.wal;

import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.BoundedReader.FormatException;
import dev.sapwood.internal.util.Varint;

/**
 * Reads the fields of one log record's payload, in order, checking every length against what is
 * left before anything is allocated by it: a damaged payload ends in a {@link FormatException}
 * (its position is the offset within the payload), never in an out-of-bounds access or an
 * allocation sized by an unchecked length. Reads either an array or, during recovery, a range of a
 * segment file through the reader's bounded window (so a record of any size is never read whole
 * into memory; only the fields the caller asks for are copied).
 *
 * <p>Valid only during the {@link LogReader.Consumer#record} call it was passed to. Not
 * thread-safe.
 */
public final class PayloadReader {
  private final SegmentInput in; // null when reading an array
  private final byte[] array;
  private final String file;
  private final long fileOffset;
  private final long start;
  private final long end;
  private long pos;
  private byte[] w; // the array holding the bytes of the last fetch (read it after fetching)

  private PayloadReader(SegmentInput in, byte[] array, String file, long fileOffset, long start, long len) {
    this.in = in;
    this.array = array;
    this.file = file;
    this.fileOffset = fileOffset;
    this.start = start;
    this.end = start + len;
    this.pos = start;
  }

  /** Reads {@code payload} (tests, and callers holding a payload in memory). */
  public static PayloadReader of(byte[] payload) {
    return new PayloadReader(null, payload, "payload", 0, 0, payload.length);
  }

  /**
   * Reads the {@code len} payload bytes at {@code array[start]}: a record decoded from a compressed
   * frame at {@code recordOffset} of {@code file}.
   */
  static PayloadReader of(byte[] array, int start, int len, String file, long recordOffset) {
    return new PayloadReader(null, array, file, recordOffset, start, len);
  }

  /** Reads the {@code len} payload bytes at {@code pos} of the segment {@code in} is reading. */
  static PayloadReader of(SegmentInput in, long recordOffset, long pos, int len) {
    return new PayloadReader(in, null, in.name(), recordOffset, pos, len);
  }

  /** The file the payload is in (for messages). */
  public String file() {
    return file;
  }

  /** The offset in {@link #file()} of the record (its header) this payload belongs to. */
  public long recordOffset() {
    return fileOffset;
  }

  /** Payload bytes, in all. */
  public int length() {
    return (int) (end - start);
  }

  /** Bytes consumed so far. */
  public int position() {
    return (int) (pos - start);
  }

  public int remaining() {
    return (int) (end - pos);
  }

  public FormatException error(String message) {
    return new FormatException(position(), message);
  }

  /** Checks that {@code n} bytes are left, then returns the index of the next one in {@code w}. */
  private int fetch(int n, String what) {
    if (n < 0 || n > end - pos) {
      throw error(what + ": needs " + n + " bytes, " + (end - pos) + " left");
    }
    int i;
    if (in == null) {
      w = array;
      i = (int) pos;
    } else {
      i = in.window(pos, n);
      w = in.buffer();
    }
    pos += n;
    return i;
  }

  public int u8(String what) {
    int i = fetch(1, what);
    return w[i] & 0xFF;
  }

  public int u16(String what) {
    int i = fetch(2, what);
    return BigEndian.getU16(w, i);
  }

  public int i32(String what) {
    int i = fetch(4, what);
    return BigEndian.getInt(w, i);
  }

  /** A non-negative int no larger than {@code max}. */
  public int length(String what, int max) {
    int v = i32(what);
    if (v < 0 || v > max) {
      throw new FormatException(position() - 4, what + " " + v + " outside [0, " + max + "]");
    }
    return v;
  }

  /** An unsigned varint ({@link Varint}) of at most {@code maxBytes} bytes. */
  public long varint(String what, int maxBytes) {
    int n = Math.min(maxBytes, remaining());
    if (n == 0) {
      throw error(what + ": needs a byte, none left");
    }
    int i;
    if (in == null) {
      i = (int) pos;
      w = array;
    } else {
      i = in.window(pos, n);
      w = in.buffer();
    }
    long v = Varint.get(w, i, i + n, n);
    if (v < 0) {
      throw error(what + ": a varint that does not decode in " + n + " bytes");
    }
    pos += Varint.size(v);
    return v;
  }

  /** A varint no larger than {@code max}. */
  public int varLength(String what, int max) {
    int at = position();
    long v = varint(what, Varint.MAX_INT_BYTES);
    if (v > max) {
      throw new FormatException(at, what + " " + v + " outside [0, " + max + "]");
    }
    return (int) v;
  }

  /** Copies the next {@code n} bytes; {@code n} is checked against what is left first. */
  public byte[] bytes(int n, String what) {
    if (n < 0 || n > end - pos) {
      throw error(what + ": needs " + n + " bytes, " + (end - pos) + " left");
    }
    byte[] out = new byte[n];
    if (in == null) {
      System.arraycopy(array, (int) pos, out, 0, n);
    } else {
      in.read(pos, out, 0, n);
    }
    pos += n;
    return out;
  }
}
