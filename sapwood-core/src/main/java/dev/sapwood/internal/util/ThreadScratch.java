package dev.sapwood.internal.util;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte array reused by each thread for one transient purpose (a read's compressed bytes, a node
 * image being assembled), so that the hot paths do not allocate one per use. Bounded twice: a
 * thread keeps at most {@code limit} bytes (a larger request gets a fresh array that is not kept),
 * and all threads together keep at most {@code total} bytes beyond their small initial arrays: a
 * thread that would grow its array past that gets a fresh array per use instead, so a process
 * with many writing threads holds a few arrays, not one per thread, outside the cache's budget.
 * (A thread that ends keeps its share counted: the bound then only turns more takes into fresh
 * arrays, it never lets more be kept.)
 *
 * <p>Contract for the caller: the array from {@link #take} is this thread's until its next
 * {@code take} from the same scratch, and nothing may hold on to it beyond that (copy what must
 * outlive the call). With assertions on (the tests), every array handed out again is first
 * filled with {@link #POISON}, so a caller that kept reading an earlier array reads garbage and
 * fails its checksums instead of passing by luck.
 */
public final class ThreadScratch {
  /** What a reused array is filled with before it is handed out again, with assertions on. */
  public static final byte POISON = (byte) 0xA5;

  private static final boolean POISONING = ThreadScratch.class.desiredAssertionStatus();

  private final int limit;
  private final long total;
  /** Bytes kept beyond the initial arrays, by all threads. */
  private final AtomicLong grown = new AtomicLong();
  private final ThreadLocal<byte[]> held;

  /** Each thread starts with {@code initial} bytes and keeps at most {@code limit}; no total bound. */
  public ThreadScratch(int initial, int limit) {
    this(initial, limit, Long.MAX_VALUE);
  }

  /** As {@link #ThreadScratch(int, int)}, all threads together keeping at most {@code total} more. */
  public ThreadScratch(int initial, int limit, long total) {
    if (initial <= 0 || initial > limit || total < 0) {
      throw new IllegalArgumentException("initial " + initial + ", limit " + limit + ", total " + total);
    }
    this.limit = limit;
    this.total = total;
    this.held = ThreadLocal.withInitial(() -> new byte[initial]);
  }

  /** Bytes the threads keep beyond their initial arrays (for tests and stats). */
  public long grownBytes() {
    return grown.get();
  }

  /**
   * An array of at least {@code len} bytes, contents undefined: this thread's kept array (grown to
   * at most the limit), or a fresh one past the limit or where growing would pass the total.
   */
  public byte[] take(int len) {
    if (len > limit) {
      return new byte[len];
    }
    byte[] s = held.get();
    if (s.length < len) {
      int size = Math.min(limit, Math.max(len, s.length * 2));
      if (!reserve(s.length, size)) {
        return new byte[len];
      }
      s = new byte[size];
      held.set(s);
    } else if (POISONING) {
      Arrays.fill(s, POISON);
    }
    return s;
  }

  /**
   * Keeps {@code a} (which the caller grew from an array {@link #take} gave it, and no longer
   * uses) for this thread's next take, if it is larger than the kept one and within the limit.
   */
  public void keep(byte[] a) {
    byte[] s = held.get();
    if (a.length <= limit && a.length > s.length && reserve(s.length, a.length)) {
      held.set(a);
    }
  }

  /**
   * Counts a thread's kept array growing from {@code from} to {@code to} bytes (a kept array is
   * never below the initial size, and counts for what it holds beyond it), if the total allows.
   */
  private boolean reserve(int from, int to) {
    for (;;) {
      long g = grown.get();
      long next = g + to - from;
      if (next > total) {
        return false;
      }
      if (grown.compareAndSet(g, next)) {
        return true;
      }
    }
  }
}
