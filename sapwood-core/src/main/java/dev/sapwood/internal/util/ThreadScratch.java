package dev.sapwood.internal.util;

import java.util.Arrays;

/**
 * A byte array reused by each thread for one transient purpose (a read's compressed bytes, a node
 * image being assembled), so that the hot paths do not allocate one per use. Bounded: a thread
 * keeps at most {@code limit} bytes; a larger request gets a fresh array that is not kept.
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
  private final ThreadLocal<byte[]> held;

  /** Each thread starts with {@code initial} bytes and keeps at most {@code limit}. */
  public ThreadScratch(int initial, int limit) {
    if (initial <= 0 || initial > limit) {
      throw new IllegalArgumentException("initial " + initial + ", limit " + limit);
    }
    this.limit = limit;
    this.held = ThreadLocal.withInitial(() -> new byte[initial]);
  }

  /**
   * An array of at least {@code len} bytes, contents undefined: this thread's kept array (grown to
   * at most the limit), or a fresh one past the limit.
   */
  public byte[] take(int len) {
    if (len > limit) {
      return new byte[len];
    }
    byte[] s = held.get();
    if (s.length < len) {
      s = new byte[Math.min(limit, Math.max(len, s.length * 2))];
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
    if (a.length <= limit && a.length > held.get().length) {
      held.set(a);
    }
  }
}
