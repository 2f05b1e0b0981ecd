package dev.sapwood.internal.engine;

/**
 * How much buffer the cleaner may move in one pass: {@link #BYTES_PER_WRITTEN_BYTE} times the bytes
 * of messages written since the previous pass began, less what earlier passes moved beyond their
 * own credit. The cleaner keeps buffers light for the writers; a phase that writes little needs
 * little of it. Without a bound, a write-light phase after a load (YCSB B: 5% updates after 1M 1 KB
 * inserts) paid for flushing the load's backlog at the cleaner's full pace — about 77 MB of
 * buffers moved in 300K operations for 15 MB of updates (docs/benchmarks.md, "YCSB B and C: the
 * cleaner after the load") — each flush latching a leaf and its parent beside the readers.
 *
 * <p>A pass flushes while what it moved is below its credit, so it overshoots by at most its last
 * flush; the overshoot is carried as debt into the next pass, and credit a pass leaves unspent is
 * dropped (a write-heavy phase banks nothing for the read-only phase after it). Over any run of
 * passes, then, the cleaner moves at most {@code BYTES_PER_WRITTEN_BYTE} × the bytes written plus
 * one flush per pass running at once.
 *
 * <p>Invariants: {@link #open} and {@link #close} are pure functions of what they are given and
 * what they were given before. Not thread-safe: {@link TreeUpkeep} runs one pass at a time under
 * its monitor.
 */
final class CleanerBudget {
  /** Buffer bytes the cleaner may move per byte of messages written (key, value, record header). */
  static final long BYTES_PER_WRITTEN_BYTE = 1;

  private final long perWrittenByte;
  /** The written-bytes total when the last pass opened. */
  private long writtenAtLastPass;
  /** What passes moved beyond their credit, not yet paid back by new writes. */
  private long debt;

  CleanerBudget(long perWrittenByte) {
    this.perWrittenByte = perWrittenByte;
  }

  /**
   * Opens a pass, given the total bytes written so far (a counter that only grows): returns the
   * pass's credit, the buffer bytes it may move (zero or less: none).
   */
  long open(long writtenTotal) {
    long fresh = Math.max(0, writtenTotal - writtenAtLastPass);
    writtenAtLastPass = Math.max(writtenAtLastPass, writtenTotal);
    long credit = saturatingMultiply(fresh, perWrittenByte) - debt;
    debt = 0;
    return credit;
  }

  /**
   * Closes a pass opened with {@code credit} that moved {@code moved} bytes: what it moved beyond
   * its credit (all of a negative credit's debt, if it moved nothing) is owed by the next pass.
   */
  void close(long credit, long moved) {
    debt += Math.max(0, moved - credit);
  }

  private static long saturatingMultiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
  }
}
