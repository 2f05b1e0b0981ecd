package dev.sapwood.internal.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds basements from entries appended in ascending key order, starting a new basement whenever
 * the current one reaches the target size (so a flush that grows a basement splits it). Every
 * basement built gets the same max MSN.
 *
 * <p>Entries are appended to a scratch arena that the builder takes from its thread (and gives
 * back in {@link #finish()}), and each basement gets an exact copy of its bytes: a flush into a
 * leaf allocates the basements it publishes and nothing else, where a new arena per builder and
 * per basement used to be garbage at once (a 5M-key fill allocated ~4.5 GB of its ~24 GB here).
 *
 * <p>Invariants: no basement shares the scratch arena (it is copied, never handed over), and a
 * scratch arena is used by one builder at a time: a builder takes it off its thread's slot, so a
 * second builder on the same thread before the first finishes starts with a fresh one. A builder
 * is confined to one thread.
 */
final class BasementBuilder implements MessageApplier.Sink {
  /** Scratch larger than this (grown by a large entry) is not kept for the thread's next builder. */
  static final int RETAINED_SCRATCH = 256 << 10;

  private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<>();

  /** A thread's scratch arena and offsets, between builders. */
  private static final class Scratch {
    byte[] arena;
    int[] offsets;
  }

  private final int target;
  private final long maxMsn;
  private final List<Basement> done = new ArrayList<>();
  private final Scratch scratch;
  private byte[] arena;
  private int used;
  private int[] offsets;
  private int count;
  private boolean finished;

  /**
   * @param target the basement size to aim for (a basement is closed once it reaches it)
   * @param sizeHint expected total bytes, to size a new scratch arena
   */
  BasementBuilder(int target, int sizeHint, long maxMsn) {
    this.target = target;
    this.maxMsn = maxMsn;
    Scratch s = SCRATCH.get();
    if (s != null) {
      SCRATCH.set(null); // ours until finish(): a builder started meanwhile gets its own
    } else {
      s = new Scratch();
      s.arena = new byte[Math.max(64, Math.min(target + (target >> 2), sizeHint))];
      s.offsets = new int[16];
    }
    this.scratch = s;
    this.arena = s.arena;
    this.offsets = s.offsets;
  }

  @Override
  public void emit(byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen) {
    if (finished) {
      throw new IllegalStateException("basement builder already finished");
    }
    int size = Basement.ENTRY_OVERHEAD + kLen + vLen;
    if (count > 0 && used + size > target) {
      close();
    }
    if (used + size > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arena.length * 2, used + size));
    }
    if (count == offsets.length) {
      offsets = Arrays.copyOf(offsets, count * 2);
    }
    offsets[count++] = used;
    Basement.putValueEntry(arena, used, k, kOff, kLen, v, vOff, vLen);
    used += size;
  }

  private void close() {
    done.add(new Basement(Arrays.copyOf(arena, used), used, Arrays.copyOf(offsets, count), count, maxMsn));
    used = 0;
    count = 0;
  }

  /** The basements built, at least one (possibly empty). Call once; the builder is done after. */
  List<Basement> finish() {
    if (finished) {
      return done;
    }
    finished = true;
    if (count > 0 || done.isEmpty()) {
      close();
    }
    if (arena.length <= RETAINED_SCRATCH && offsets.length <= RETAINED_SCRATCH / 8) {
      scratch.arena = arena;
      scratch.offsets = offsets;
      SCRATCH.set(scratch);
    }
    return done;
  }
}
