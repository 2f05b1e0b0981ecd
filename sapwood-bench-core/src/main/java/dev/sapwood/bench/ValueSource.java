package dev.sapwood.bench;

import java.util.SplittableRandom;

/**
 * The value bytes of a run, the same for every engine: a slice of a 1 MiB seeded pool whose
 * 32-byte blocks are 16 random bytes followed by the same 16 again (compressible to about half,
 * like db_bench's default compression ratio 0.5). The slice is chosen by (key number, generation),
 * so a reader can check that what it got is what some write stored.
 */
public final class ValueSource {
  private static final int POOL = 1 << 20;
  private final byte[] pool;
  private final int valueSize;

  public ValueSource(int valueSize, long seed) {
    if (valueSize < 0) {
      throw new IllegalArgumentException("value size must be >= 0");
    }
    this.valueSize = valueSize;
    pool = new byte[POOL + valueSize];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < pool.length; i += 32) {
      for (int j = 0; j < 16 && i + j < pool.length; j++) {
        pool[i + j] = (byte) r.nextInt(256);
      }
      for (int j = 16; j < 32 && i + j < pool.length; j++) {
        pool[i + j] = pool[i + j - 16];
      }
    }
  }

  public int valueSize() {
    return valueSize;
  }

  /** The value written for key number {@code n} by writes of generation {@code gen}. */
  public byte[] value(long n, int gen) {
    long h = (n * 0x9E3779B97F4A7C15L) ^ (gen * 0xC2B2AE3D27D4EB4FL);
    h ^= h >>> 29;
    int off = (int) ((h & Long.MAX_VALUE) % POOL);
    byte[] v = new byte[valueSize];
    System.arraycopy(pool, off, v, 0, valueSize);
    return v;
  }
}
