package dev.sapwood.internal.util;

import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Direct buffers through which the native codecs (lz4-java's and zstd-jni's JNI code) read their
 * input and write their output, so that they never pin a heap array.
 *
 * <p>Why: given {@code byte[]}s, both libraries enter a JNI critical region
 * ({@code GetPrimitiveArrayCritical}) for the length of the call. On JDK 17 to 21 a thread whose
 * allocation needs a collection while other threads sit in such regions retries only {@code
 * GCLockerRetryAllocationCount} (2) times and then throws {@code OutOfMemoryError}, with most of
 * the heap free to collect (JDK-8192647; G1, Parallel and Serial, not Shenandoah or ZGC). Sapwood's
 * flushers, readers and log writer compress or decompress a few KiB at a time without pause, so
 * under G1, the JVM's default, a 20M fill with a 128 MiB heap failed so in two of six runs
 * (docs/benchmarks.md, "The GC locker"). Given direct buffers, the codecs take their addresses and
 * pin nothing. The price is two copies of a few KiB per call (1–2 µs of a 32 KiB LZ4 decompression
 * that takes 15).
 *
 * <p>Bounded: {@link #SLOTS} pairs of buffers in the process, each side kept at most {@link #KEEP}
 * bytes (so at most {@code SLOTS × 2 × KEEP} of direct memory, {@link #keptBytes}, allocated as
 * frames need it and kept for the process's life, shared by every database). A frame larger than
 * {@code KEEP} is the caller's to handle without them. A thread holds a pair only for one codec
 * call on bytes it already has, never while it waits for anything else, so a thread that finds
 * every pair taken waits at most a few such calls. Thread-safe.
 */
final class CodecStaging {
  private CodecStaging() {}

  /**
   * The most bytes a side of a pair keeps: frames are cut at 4 KiB of raw bytes
   * ({@code NodeFormat.FRAME_TARGET}), so only a frame holding a record of tens of KiB needs more.
   */
  static final int KEEP = 64 << 10;

  /** Pairs in the process: two per core, at least 4 and at most 16 (at most 2 MiB kept). */
  static final int SLOTS = Math.max(4, Math.min(16, 2 * Runtime.getRuntime().availableProcessors()));

  /** A pair's first size a side: a 4 KiB frame's raw bytes or its codec's worst output fit. */
  private static final int INITIAL = 8 << 10;

  private static final Semaphore FREE = new Semaphore(SLOTS);
  private static final AtomicReferenceArray<Pair> SLOT = new AtomicReferenceArray<>(SLOTS);
  private static final AtomicLong KEPT = new AtomicLong();

  static {
    for (int i = 0; i < SLOTS; i++) {
      SLOT.set(i, new Pair());
    }
  }

  /** An input and an output buffer, each grown to at most {@link #KEEP} bytes. */
  static final class Pair {
    private ByteBuffer in = ByteBuffer.allocateDirect(0);
    private ByteBuffer out = ByteBuffer.allocateDirect(0);

    /** The input side, at least {@code len} ({@code ≤ KEEP}) bytes, holding {@code src[off, off + len)} from 0. */
    ByteBuffer in(byte[] src, int off, int len) {
      in = room(in, len);
      in.clear();
      in.put(src, off, len);
      return in;
    }

    /** The output side, at least {@code len} ({@code ≤ KEEP}) bytes, contents undefined. */
    ByteBuffer out(int len) {
      out = room(out, len);
      return out;
    }

    private static ByteBuffer room(ByteBuffer b, int len) {
      if (len > KEEP) {
        throw new IllegalArgumentException(len + " bytes is more than a staging buffer keeps (" + KEEP + ")");
      }
      if (b.capacity() >= len) {
        return b;
      }
      int size = Math.min(KEEP, Math.max(INITIAL, Integer.highestOneBit(len - 1) << 1));
      KEPT.addAndGet(size - b.capacity());
      return ByteBuffer.allocateDirect(size);
    }
  }

  /** Whether {@code len} bytes fit a side of a pair. */
  static boolean fits(int len) {
    return len <= KEEP;
  }

  /** A pair for this thread's next codec call; waits while all are taken. Give it back with {@link #give}. */
  static Pair take() {
    FREE.acquireUninterruptibly();
    int i = (int) (Thread.currentThread().getId() % SLOTS);
    while (true) {
      Pair p = SLOT.getAndSet(i, null);
      if (p != null) {
        return p;
      }
      i = i + 1 == SLOTS ? 0 : i + 1; // a permit guarantees a free slot: the scan ends
    }
  }

  /** Gives back a pair from {@link #take}. */
  static void give(Pair p) {
    int i = 0;
    while (!SLOT.compareAndSet(i, null, p)) {
      i = i + 1 == SLOTS ? 0 : i + 1;
    }
    FREE.release();
  }

  /** Direct bytes the pairs keep, all together. */
  static long keptBytes() {
    return KEPT.get();
  }

  /** Pairs not taken now (for tests). */
  static int available() {
    return FREE.availablePermits();
  }
}
