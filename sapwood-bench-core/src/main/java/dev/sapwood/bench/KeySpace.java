package dev.sapwood.bench;

/**
 * The keys of a run: key number {@code n} in {@code [0, num)} is encoded big-endian in the first 8
 * bytes, the rest zero, so ascending numbers are ascending unsigned bytes for every engine.
 *
 * <p>{@link #permuted} maps an index to a key number by a seeded bijection of {@code [0, num)}, so
 * that fillrandom inserts every key exactly once, in a random order that is the same for every
 * engine and needs no memory: an invertible mixer on the next power of two, cycle-walked until the
 * result falls inside the range.
 */
public final class KeySpace {
  private final int keySize;
  private final long num;
  private final int bits;
  private final long mask;
  private final long seed;

  public KeySpace(int keySize, long num, long seed) {
    if (keySize < 8) {
      throw new IllegalArgumentException("key size must be at least 8 bytes, got " + keySize);
    }
    if (num < 1) {
      throw new IllegalArgumentException("num must be positive, got " + num);
    }
    this.keySize = keySize;
    this.num = num;
    this.bits = Math.max(2, 64 - Long.numberOfLeadingZeros(num - 1));
    this.mask = bits == 64 ? -1L : (1L << bits) - 1;
    this.seed = seed;
  }

  public int keySize() {
    return keySize;
  }

  public long num() {
    return num;
  }

  /** The key of number {@code n}. */
  public byte[] key(long n) {
    byte[] k = new byte[keySize];
    for (int i = 7; i >= 0; i--) {
      k[i] = (byte) n;
      n >>>= 8;
    }
    return k;
  }

  /** The key number of a key made by {@link #key}. */
  public static long number(byte[] key) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (key[i] & 0xFF);
    }
    return v;
  }

  /** The {@code i}-th key number of the random permutation ({@code i} in {@code [0, num)}). */
  public long permuted(long i) {
    long x = i;
    do {
      x = mix(x);
    } while (x >= num);
    return x;
  }

  private long mix(long x) {
    int half = Math.max(1, bits / 2);
    x = (x + seed) & mask;
    x = (x * 0x9E3779B97F4A7C15L) & mask;
    x ^= x >>> half;
    x = (x * 0xC2B2AE3D27D4EB4FL) & mask;
    x ^= x >>> (half + 1 > bits - 1 ? half : half + 1);
    x = (x * 0x165667B19E3779F9L) & mask;
    x ^= x >>> half;
    return x;
  }
}
