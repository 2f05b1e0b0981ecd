package dev.sapwood.internal.util;

/**
 * Reads big-endian fields from a byte array slice, checking every length against what is left, so
 * that damaged bytes from disk end in a {@link FormatException} (which callers turn into a
 * {@code CorruptionException} naming the file and offset), never in an out-of-bounds access or an
 * allocation sized by an unchecked length.
 */
public final class BoundedReader {
  /** A decode failure at {@link #position()} of the slice. */
  public static final class FormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int position;

    public FormatException(int position, String message) {
      super(message);
      this.position = position;
    }

    /** Offset within the decoded slice. */
    public int position() {
      return position;
    }
  }

  private final byte[] buf;
  private final int start;
  private final int limit;
  private int pos;

  public BoundedReader(byte[] buf, int off, int len) {
    this.buf = buf;
    this.start = off;
    this.pos = off;
    this.limit = off + len;
  }

  /** Bytes consumed so far (offset within the slice). */
  public int position() {
    return pos - start;
  }

  /** Absolute index in the array of the next byte. */
  public int arrayPosition() {
    return pos;
  }

  public int remaining() {
    return limit - pos;
  }

  public FormatException error(String message) {
    return new FormatException(position(), message);
  }

  private void need(int n, String what) {
    if (n < 0 || n > limit - pos) {
      throw error(what + ": needs " + n + " bytes, " + (limit - pos) + " left");
    }
  }

  public int u8(String what) {
    need(1, what);
    return buf[pos++] & 0xFF;
  }

  public int u16(String what) {
    need(2, what);
    int v = BigEndian.getU16(buf, pos);
    pos += 2;
    return v;
  }

  public int i32(String what) {
    need(4, what);
    int v = BigEndian.getInt(buf, pos);
    pos += 4;
    return v;
  }

  /** A non-negative int no larger than {@code max}. */
  public int length(String what, int max) {
    int v = i32(what);
    if (v < 0 || v > max) {
      throw new FormatException(position() - 4, what + " " + v + " outside [0, " + max + "]");
    }
    return v;
  }

  public long i64(String what) {
    need(8, what);
    long v = BigEndian.getLong(buf, pos);
    pos += 8;
    return v;
  }

  /** Copies the next {@code n} bytes (n already bounded by the caller or checked here). */
  public byte[] bytes(int n, String what) {
    need(n, what);
    byte[] out = new byte[n];
    System.arraycopy(buf, pos, out, 0, n);
    pos += n;
    return out;
  }

  /** Skips {@code n} bytes. */
  public void skip(int n, String what) {
    need(n, what);
    pos += n;
  }
}
