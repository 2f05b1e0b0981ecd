package dev.sapwood.internal.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The mutations {@link Fuzz} applies: bit flips, random and boundary bytes, 8/16/32/64-bit
 * big-endian fields set to boundary values (0, ±1, 2^k, the extremes, the limits of 16 MiB and
 * 256 MiB, the input's length ± a few), inserted, deleted and duplicated runs, runs overwritten
 * with zeros or 0xFF, truncation, extension, and splices of two corpus entries. Deterministic for
 * a seed; never changes a corpus entry. Not thread-safe.
 */
final class Mutator {
  private static final long[] INTERESTING = {
    0, 1, -1, 2, 7, 8, 16, 0x7F, 0x80, 0xFF, 256, 4095, 4096, 0xFFFF, 0x10000, 1 << 20, 1 << 24,
    16 << 20, (16 << 20) + 1, 256 << 20, (256 << 20) + 1, (1 << 30) - 1, 1 << 30, 1_400_000_000,
    Integer.MAX_VALUE, Integer.MAX_VALUE - 1, Integer.MAX_VALUE - 8, Integer.MIN_VALUE,
    Long.MAX_VALUE, Long.MIN_VALUE,
  };
  private static final int[] WIDTHS = {1, 2, 4, 4, 8};
  private static final byte[] BYTES = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 1};

  private final Random r;
  private final List<byte[]> corpus;

  Mutator(Random r, List<byte[]> corpus) {
    if (corpus.isEmpty()) {
      throw new IllegalArgumentException("an empty corpus");
    }
    this.r = r;
    this.corpus = corpus;
  }

  Random random() {
    return r;
  }

  /** One to four mutations of a copy of a random corpus entry. */
  byte[] next() {
    byte[] b = corpus.get(r.nextInt(corpus.size()));
    int n = 1 + (r.nextInt(4) == 0 ? r.nextInt(4) : 0);
    for (int k = 0; k < n; k++) {
      b = mutateOnce(b);
    }
    return b;
  }

  /** One mutation into a new array; {@code in} is never changed. */
  private byte[] mutateOnce(byte[] in) {
    byte[] b = in.clone();
    int len = b.length;
    if (len == 0) {
      return r.nextBoolean() ? new byte[] {(byte) r.nextInt()} : splice(b, 0, 0, other(0));
    }
    int at = r.nextInt(len);
    switch (r.nextInt(13)) {
      case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
      case 1 -> {
        for (int k = 1 + r.nextInt(4); k > 0; k--) {
          b[r.nextInt(len)] = (byte) r.nextInt(256);
        }
      }
      case 2 -> b[at] = BYTES[r.nextInt(BYTES.length)];
      case 3, 4, 5 -> { // a length, count, id or LSN set to a boundary value
        int width = WIDTHS[r.nextInt(WIDTHS.length)];
        if (len >= width) {
          at = Math.min(at, len - width);
          long v = r.nextInt(3) == 0 ? len + r.nextInt(9) - 4 : INTERESTING[r.nextInt(INTERESTING.length)];
          if (r.nextBoolean()) {
            v += r.nextInt(3) - 1;
          }
          for (int k = width - 1; k >= 0; k--) {
            b[at + k] = (byte) v;
            v >>= 8;
          }
        }
      }
      case 6 -> b = splice(b, at, Math.min(len, at + 1 + r.nextInt(64)), new byte[0]);
      case 7 -> { // insert a run of zeros and random bytes
        byte[] run = new byte[1 + r.nextInt(r.nextBoolean() ? 16 : 64)];
        for (int k = 0; k < run.length; k++) {
          run[k] = r.nextBoolean() ? 0 : (byte) r.nextInt();
        }
        b = splice(b, r.nextInt(len + 1), -1, run);
      }
      case 8 -> b = splice(b, r.nextInt(len + 1), -1, Arrays.copyOfRange(b, at, Math.min(len, at + 1 + r.nextInt(64))));
      case 9 -> Arrays.fill(b, at, Math.min(len, at + 1 + r.nextInt(32)), r.nextBoolean() ? 0 : (byte) 0xFF);
      case 10 -> b = Arrays.copyOf(b, at);
      case 11 -> b = Arrays.copyOf(b, len + 1 + r.nextInt(64));
      default -> b = splice(Arrays.copyOf(b, at), at, -1, other(r.nextInt(Integer.MAX_VALUE)));
    }
    return b;
  }

  /** The tail of a random corpus entry, from a random point. */
  private byte[] other(int pick) {
    byte[] o = corpus.get(r.nextInt(corpus.size()));
    return Arrays.copyOfRange(o, pick % (o.length + 1), o.length);
  }

  /** {@code b} with {@code [from, to)} replaced by {@code insert}; {@code to == -1} inserts at {@code from}. */
  private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
    int end = to < 0 ? from : to;
    byte[] out = new byte[b.length - (end - from) + insert.length];
    System.arraycopy(b, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(b, end, out, from + insert.length, b.length - end);
    return out;
  }
}
