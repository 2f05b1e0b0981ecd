package dev.sapwood.internal.util;

/**
 * Unsigned LEB128 variable-length integers (the log's lengths and ids, docs/format/log.md): seven
 * bits a byte, least significant group first, the high bit set on every byte but the last. A value
 * below 128 takes one byte. On disk — never change the encoding.
 *
 * <p>Decoding never reads past the limit it is given and refuses encodings longer than the type
 * allows or with bits above it, so a damaged varint is a refusal, never a wrong value or an
 * out-of-bounds read. Allocation-free; stateless.
 */
public final class Varint {
  /** Bytes of the longest long (63 bits). */
  public static final int MAX_LONG_BYTES = 9;
  /** Bytes of the longest int (31 bits). */
  public static final int MAX_INT_BYTES = 5;

  private Varint() {}

  /** Bytes {@code v} takes; {@code v >= 0}. */
  public static int size(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative varint " + v);
    }
    int n = 1;
    while (v >= 0x80) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  /** Writes {@code v >= 0} at {@code b[at]}; returns the index after it. */
  public static int put(byte[] b, int at, long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative varint " + v);
    }
    while (v >= 0x80) {
      b[at++] = (byte) (v | 0x80);
      v >>>= 7;
    }
    b[at++] = (byte) v;
    return at;
  }

  /**
   * The value of the varint at {@code b[at]}, reading no byte at or past {@code limit} and at most
   * {@code maxBytes} (up to {@link #MAX_LONG_BYTES}); -1 if it runs past either, or if its last
   * byte is a zero continuation (an overlong encoding, which the writer never makes).
   */
  public static long get(byte[] b, int at, int limit, int maxBytes) {
    long v = 0;
    int end = Math.min(limit, at + maxBytes);
    for (int i = at, shift = 0; i < end; i++, shift += 7) {
      int x = b[i];
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return (x == 0 && i > at) ? -1 : v;
      }
    }
    return -1;
  }
}
