package dev.sapwood.internal.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds basements from entries appended in ascending key order, starting a new basement whenever
 * the current one reaches the target size (so a flush that grows a basement splits it). Every
 * basement built gets the same max MSN.
 */
final class BasementBuilder implements MessageApplier.Sink {
  private final int target;
  private final long maxMsn;
  private final List<Basement> done = new ArrayList<>();
  private byte[] arena;
  private int used;
  private int[] offsets = new int[16];
  private int count;
  private int remainingHint;

  /**
   * @param target the basement size to aim for (a basement is closed once it reaches it)
   * @param sizeHint expected total bytes, to size the first arena
   */
  BasementBuilder(int target, int sizeHint, long maxMsn) {
    this.target = target;
    this.maxMsn = maxMsn;
    this.arena = new byte[Math.max(64, Math.min(target + (target >> 2), sizeHint))];
    this.remainingHint = sizeHint;
  }

  @Override
  public void emit(byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen) {
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
    // An arena close to full is handed over as it is (its slack is counted in the basement's
    // memory); otherwise it is trimmed and kept for the next basement.
    boolean handOver = arena.length - used <= arena.length >> 3;
    byte[] a = handOver ? arena : Arrays.copyOf(arena, used);
    done.add(new Basement(a, used, Arrays.copyOf(offsets, count), count, maxMsn));
    if (handOver) {
      arena = new byte[Math.max(64, Math.min(target + (target >> 2), remainingHint))];
    }
    remainingHint = Math.max(0, remainingHint - used);
    used = 0;
    count = 0;
  }

  /** The basements built, at least one (possibly empty). */
  List<Basement> finish() {
    if (count > 0 || done.isEmpty()) {
      close();
    }
    return done;
  }
}
