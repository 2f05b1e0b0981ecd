package dev.sapwood.internal.tree;

import java.util.Arrays;

/**
 * Arrays lent to one read's frame peeks: within a scope ({@link #open}, {@link #close}: one get,
 * one cursor chunk) the frames a peek decompresses go into this thread's arrays instead of fresh
 * ones, and every array lent comes back when the outermost scope closes. A seek beyond the cache
 * allocated 28.7 KB, 16.6 of them these arrays, and Shenandoah (not generational on JDK 17) then
 * collected most of the time and paced the reader (docs/benchmarks.md, "The collector decides the
 * reads"). Likewise a peeked buffer's point list and key prefixes ({@link #takeInts}, {@link
 * #takePrefixes}), a peeked basement's entry offsets, a chunk's collected messages ({@code
 * ChunkMessages}) and the probe a node's header is read into on a cache miss ({@code NodeReader}:
 * the node copies what it keeps of it).
 *
 * <p>Contract: nothing made of a lent array may outlive the scope. A get copies the messages it
 * collects and the value it returns, a chunk copies the entries it emits and its bounds (a
 * basement's keys are copies), so the peeked buffers and basements die with the read. With
 * assertions on (the tests), every array is filled with {@link #POISON} when its scope closes, so
 * a reader that kept one reads garbage and fails its checks instead of passing by luck.
 *
 * <p>Bounded: a thread keeps at most {@link #KEPT} arrays of each kind, of at most {@link #MAX}
 * bytes each (a peek of a few frames is a few KiB; point lists at most {@link #MAX_POINTS} long);
 * a larger array, or one more, is a fresh one, as outside a scope. Each thread's state is its own;
 * not shared.
 */
final class PeekArrays {
  /** The largest array a thread keeps. */
  static final int MAX = 64 << 10;
  /** Arrays a thread keeps (a chunk peeks a basement's frames and a buffer per level, with ranges). */
  static final int KEPT = 8;
  /** The longest point list (and prefix list) a thread keeps. */
  static final int MAX_POINTS = 4 << 10;
  /** What a returned array is filled with, with assertions on (each byte of it). */
  static final byte POISON = (byte) 0x5A;

  private static final boolean POISONING = PeekArrays.class.desiredAssertionStatus();
  private static final ThreadLocal<PeekArrays> LOCAL = ThreadLocal.withInitial(PeekArrays::new);

  private final byte[][] arrays = new byte[KEPT][];
  private int lent;
  private final int[][] points = new int[KEPT][];
  private int pointsLent;
  private final long[][] prefixes = new long[KEPT][];
  private int prefixesLent;
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
      for (int i = 0; i < pointsLent; i++) {
        Arrays.fill(points[i], 0x5A5A5A5A);
      }
      for (int i = 0; i < prefixesLent; i++) {
        Arrays.fill(prefixes[i], 0x5A5A5A5A5A5A5A5AL);
      }
    }
    lent = 0;
    pointsLent = 0;
    prefixesLent = 0;
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

  /**
   * An {@code int[]} of at least {@code len} (and at least 8) for a peek's offsets (a peeked
   * buffer's point list, a peeked basement's entries): lent as {@link #take} lends, else fresh of
   * exactly that length.
   */
  static int[] takeInts(int len) {
    len = Math.max(8, len);
    PeekArrays a = LOCAL.get();
    if (a.depth == 0 || a.pointsLent == KEPT || len > MAX_POINTS) {
      return new int[len];
    }
    int[] p = a.points[a.pointsLent];
    if (p == null || p.length < len) {
      p = new int[roundUp(len, MAX_POINTS)];
      a.points[a.pointsLent] = p;
    }
    a.pointsLent++;
    return p;
  }

  /** Key prefixes for a point list of {@code len} from {@link #takeInts}: at least that long. */
  static long[] takePrefixes(int len) {
    PeekArrays a = LOCAL.get();
    if (a.depth == 0 || a.prefixesLent == KEPT || len > MAX_POINTS) {
      return new long[len];
    }
    long[] p = a.prefixes[a.prefixesLent];
    if (p == null || p.length < len) {
      p = new long[roundUp(len, MAX_POINTS)];
      a.prefixes[a.prefixesLent] = p;
    }
    a.prefixesLent++;
    return p;
  }

  /** {@code len} rounded up to a power of two of at least 256, at most {@code max}. */
  private static int roundUp(int len, int max) {
    return Math.min(max, Math.max(256, Integer.highestOneBit(Math.max(1, len - 1)) << 1));
  }
}
