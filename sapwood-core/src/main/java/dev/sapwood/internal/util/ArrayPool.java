package dev.sapwood.internal.util;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Byte arrays lent for one transient use (a node image being assembled, a parked image copied
 * out, a read's compressed bytes) and given back after it, so that whichever thread needs one next
 * takes it instead of allocating: the arrays in use are bounded by the threads using them at once,
 * the arrays kept by a count and a total of bytes, each at most {@code limit} bytes. Unlike {@link ThreadScratch},
 * which keeps an array per thread under a total bound (a second thread past the bound got a fresh
 * array per use), nothing here is tied to a thread.
 *
 * <p>Contract for the caller: an array from {@link #take} is the caller's until it {@linkplain
 * #give gives it back}, after which neither it nor anything it handed the array to may touch it
 * (copy what must outlive the use). An array not given back (a failure on the way) is simply left
 * to the collector. With assertions on (the tests), every array given back — kept or not — is
 * filled with {@link #POISON} at once, so a caller that kept reading one reads garbage from that
 * moment and fails (a checksum, a record's bounds, a model check) instead of passing by luck until
 * the next taker overwrites it; and a kept array is checked to be all poison when it is lent
 * again, so a caller that kept <em>writing</em> one fails the assertion here.
 *
 * <p>Invariants: {@code count <= kept.length}; {@code kept[0, count)} are distinct arrays of at
 * most {@code limit} bytes lent to nobody, {@code keptBytes} their total, at most {@code
 * maxBytes}; guarded by this pool's monitor.
 */
public final class ArrayPool {
  /** What an array given back is filled with, with assertions on. */
  public static final byte POISON = (byte) 0xC3;

  private static final boolean POISONING = ArrayPool.class.desiredAssertionStatus();

  /** Every pool made, for the process-wide figure of what they keep ({@link #keptBytesOfAll}). */
  private static final java.util.List<ArrayPool> ALL = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final int initial;
  private final int limit;
  private final long maxBytes;
  private final byte[][] kept;
  private int count;
  private long keptBytes;
  private final LongAdder fresh = new LongAdder();

  /**
   * A pool keeping up to {@code keep} arrays of at most {@code limit} bytes and {@code maxBytes}
   * together; an array it makes is at least {@code initial} bytes (a small request still gets room
   * to be reused for larger ones).
   */
  public ArrayPool(int initial, int limit, int keep, long maxBytes) {
    if (initial <= 0 || initial > limit || keep < 0 || maxBytes < 0) {
      throw new IllegalArgumentException("initial " + initial + ", limit " + limit + ", keep " + keep + ", bytes " + maxBytes);
    }
    this.initial = initial;
    this.limit = limit;
    this.maxBytes = maxBytes;
    this.kept = new byte[keep][];
    ALL.add(this);
  }

  /** Bytes kept now by every pool of the process (for stats: what they hold beyond the cache). */
  public static long keptBytesOfAll() {
    long sum = 0;
    for (ArrayPool p : ALL) {
      sum += p.keptBytes();
    }
    return sum;
  }

  /**
   * An array of at least {@code len} bytes, contents undefined: the smallest kept one that is
   * large enough, else a new one (of {@code len} past the limit: it will not be kept; else rounded
   * up, by half again, so that it serves the next larger request too).
   */
  public byte[] take(int len) {
    if (len <= limit) {
      byte[] a = null;
      synchronized (this) {
        int best = -1;
        for (int i = 0; i < count; i++) {
          if (kept[i].length >= len && (best < 0 || kept[i].length < kept[best].length)) {
            best = i;
          }
        }
        if (best >= 0) {
          a = kept[best];
          kept[best] = kept[--count];
          kept[count] = null;
          keptBytes -= a.length;
        }
      }
      if (a != null) {
        assert stillPoisoned(a) : "an array was written after it was given back to the pool";
        return a;
      }
    }
    fresh.increment();
    if (len > limit) {
      return new byte[len];
    }
    return new byte[(int) Math.min(limit, Math.max(initial, len + (long) (len >> 2)))];
  }

  /**
   * Gives back {@code a}, taken from this pool (or grown by the caller from one it took) and no
   * longer used: kept if it is within the limit and there is room in count and bytes, or in place
   * of the smallest kept array if it is larger and the bytes allow; else left to the collector.
   */
  public void give(byte[] a) {
    if (a == null) {
      return;
    }
    if (POISONING) {
      Arrays.fill(a, POISON); // kept or not: whoever still reads it reads garbage from now on
    }
    if (a.length > limit || kept.length == 0 || a.length > maxBytes) {
      return;
    }
    synchronized (this) {
      assert !holds(a) : "an array given back twice";
      if (count < kept.length && keptBytes + a.length <= maxBytes) {
        kept[count++] = a;
        keptBytes += a.length;
        return;
      }
      if (count == 0) {
        return;
      }
      int smallest = 0;
      for (int i = 1; i < count; i++) {
        if (kept[i].length < kept[smallest].length) {
          smallest = i;
        }
      }
      long after = keptBytes - kept[smallest].length + a.length;
      if (kept[smallest].length < a.length && after <= maxBytes) {
        kept[smallest] = a;
        keptBytes = after;
      }
    }
  }

  /** Whether {@code a}, kept since it was given back, still holds nothing but {@link #POISON}. */
  static boolean stillPoisoned(byte[] a) {
    return filledWith(a, POISON);
  }

  /**
   * Whether every byte of {@code a} is {@code value} (a pool's poison check, under assertions: it
   * reads every array lent again, so the tests' reads pay it per partition fetched). Once the first
   * {@code n} bytes are known to be {@code value}, the next {@code n} are compared with them, so the
   * work is a few {@link Arrays#equals} range compares (vectorized) instead of a byte loop.
   */
  public static boolean filledWith(byte[] a, byte value) {
    if (a.length == 0) {
      return true;
    }
    if (a[0] != value) {
      return false;
    }
    for (int n = 1; n < a.length; ) {
      int m = Math.min(n, a.length - n);
      if (!Arrays.equals(a, 0, m, a, n, n + m)) {
        return false;
      }
      n += m;
    }
    return true;
  }

  private boolean holds(byte[] a) {
    for (int i = 0; i < count; i++) {
      if (kept[i] == a) {
        return true;
      }
    }
    return false;
  }

  /** Bytes of the arrays kept now (for stats and tests). */
  public synchronized long keptBytes() {
    return keptBytes;
  }

  /** Arrays made because no kept one would do (for tests and measurements). */
  public long freshArrays() {
    return fresh.sum();
  }
}
