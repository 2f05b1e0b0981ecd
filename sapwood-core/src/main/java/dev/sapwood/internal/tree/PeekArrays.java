package dev.sapwood.internal.tree;

import java.util.Arrays;

/**
 * Arrays lent to one read's frame peeks: within a scope ({@link #open}, {@link #close}: one get,
 * one cursor chunk) the frames a peek decompresses go into this thread's arrays instead of fresh
 * ones, and every array lent comes back when the outermost scope closes. A seek beyond the cache
 * allocated 28.7 KB, 16.6 of them these arrays, and Shenandoah (not generational on JDK 17) then
 * collected most of the time and paced the reader (docs/benchmarks.md, "The collector decides the
 * reads").
 *
 * <p>Contract: nothing made of a lent array may outlive the scope. A get copies the messages it
 * collects and the value it returns, a chunk copies the entries it emits and its bounds (a
 * basement's keys are copies), so the peeked buffers and basements die with the read. With
 * assertions on (the tests), every array is filled with {@link #POISON} when its scope closes, so
 * a reader that kept one reads garbage and fails its checks instead of passing by luck.
 *
 * <p>Bounded: a thread keeps at most {@link #KEPT} arrays of at most {@link #MAX} bytes each (a
 * peek of a few frames is a few KiB); a larger array, or one more, is a fresh one, as outside a
 * scope. Each thread's state is its own; not shared.
 */
final class PeekArrays {
  /** The largest array a thread keeps. */
  static final int MAX = 64 << 10;
  /** Arrays a thread keeps (a chunk peeks a basement's frames and a buffer per level, with ranges). */
  static final int KEPT = 8;
  /** What a returned array is filled with, with assertions on. */
  static final byte POISON = (byte) 0x5A;

  private static final boolean POISONING = PeekArrays.class.desiredAssertionStatus();
  private static final ThreadLocal<PeekArrays> LOCAL = ThreadLocal.withInitial(PeekArrays::new);

  private final byte[][] arrays = new byte[KEPT][];
  private int lent;
  private int depth;

  private PeekArrays() {}

  /** Opens a scope on this thread (scopes nest; the outermost one's close takes the arrays back). */
  static PeekArrays open() {
    PeekArrays a = LOCAL.get();
    a.depth++;
    return a;
  }

  /** Closes the scope {@link #open} returned; nothing peeked within it may be used after. */
  void close() {
    if (--depth > 0) {
      return;
    }
    if (POISONING) {
      for (int i = 0; i < lent; i++) {
        Arrays.fill(arrays[i], POISON);
      }
    }
    lent = 0;
  }

  /**
   * An array of at least {@code len} bytes for a peek: lent until the scope closes if a scope is
   * open on this thread and one is free, else a fresh one of exactly {@code len} bytes.
   */
  static byte[] take(int len) {
    PeekArrays a = LOCAL.get();
    if (a.depth == 0 || a.lent == KEPT || len > MAX) {
      return new byte[len];
    }
    byte[] b = a.arrays[a.lent];
    if (b == null || b.length < len) {
      b = new byte[Math.min(MAX, Math.max(4 << 10, Integer.highestOneBit(Math.max(1, len - 1)) << 1))];
      a.arrays[a.lent] = b;
    }
    a.lent++;
    return b;
  }
}
