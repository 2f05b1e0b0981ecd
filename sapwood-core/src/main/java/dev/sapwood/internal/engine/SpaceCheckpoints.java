package dev.sapwood.internal.engine;

/**
 * When space waiting for release calls for a checkpoint before the periodic one (issue 13,
 * bounded space). A node written outside a checkpoint — evicted dirty, or flushed past memory —
 * goes to a new extent, and the old one can be reused only once the checkpoint after next has
 * completed (two header slots may refer to it: {@code ExtentReclaimer}); with checkpoints a minute
 * apart, a workload that writes nodes back quickly grows the file by up to two minutes of those
 * writes. So a checkpoint also runs when:
 * <ol>
 *   <li>the file is at least {@link #minFileBytes} (16 node sizes, 4 MiB at least): small files
 *       are left alone;</li>
 *   <li>space waiting for release ({@code store.pending_free_bytes}) is at least {@link
 *       #PENDING_FRACTION} of the file;</li>
 *   <li>nodes written outside checkpoints since the last checkpoint began are at least {@link
 *       #WRITTEN_FRACTION} of the file — on a workload that fits in memory nodes are written only
 *       by checkpoints, and the space each checkpoint retires is released by the next periodic
 *       one anyway, so this keeps it from checkpointing back to back;</li>
 *   <li>the space the checkpoint would release when it completes ({@code store.next_release_bytes})
 *       is at least {@link #WORTH} times the node bytes it is expected to write (what the last
 *       checkpoint that wrote any wrote: the dirty internal nodes the cache keeps are most of it,
 *       and they change little from one checkpoint to the next). Its own writes retire extents
 *       the checkpoint after next releases, so it gains the file only {@code released - written};
 *       with {@code WORTH} 2 it gains at least what it writes — the measured cost before this rule
 *       was 19 checkpoints writing 1.2 node bytes per user byte for a file 15% smaller;</li>
 *   <li>and the last checkpoint ended at least twice its own duration ago, and a second at least
 *       — checkpoints take at most a third of the time whatever the workload.</li>
 * </ol>
 *
 * <p>Invariants: {@link #due} is a pure function of what it is given. Not thread-safe: used by the
 * checkpoint thread and by {@link DatabaseImpl#checkpoint} under the checkpointer's monitor.
 */
final class SpaceCheckpoints {
  static final double PENDING_FRACTION = 0.25;
  static final double WRITTEN_FRACTION = 0.125;
  static final long MIN_GAP_NANOS = 1_000_000_000L;
  /** A space checkpoint must release this many times the node bytes it is expected to write. */
  static final long WORTH = 2;
  /** How often the checkpoint thread asks {@link #due}. */
  static final long TICK_MS = 250;

  private final long minFileBytes;
  private long writtenAtBegin; // nodes' bytes written outside checkpoints when the last one began
  private long lastEndNanos;
  private long lastDurationNanos;
  private long expectedWrite; // node bytes the last checkpoint that wrote any wrote
  private boolean any;
  private volatile boolean disabled; // tests measure the file without the rule

  /** Turns the rule off (tests that compare the file with and without it). */
  void disable() {
    disabled = true;
  }

  SpaceCheckpoints(int nodeSize) {
    this.minFileBytes = Math.max(4L << 20, 16L * nodeSize);
  }

  long minFileBytes() {
    return minFileBytes;
  }

  /**
   * Whether a checkpoint is due now.
   *
   * @param fileBytes the block file's size
   * @param pendingBytes bytes of extents waiting for a checkpoint (or a read) to be released
   * @param releaseBytes the part of those the next checkpoint to complete would release
   * @param writtenOutside node bytes written outside checkpoints since the database opened
   */
  boolean due(long fileBytes, long pendingBytes, long releaseBytes, long writtenOutside, long nowNanos) {
    if (disabled || fileBytes < minFileBytes || pendingBytes < PENDING_FRACTION * fileBytes) {
      return false;
    }
    if (releaseBytes < WORTH * expectedWrite) {
      return false;
    }
    if (writtenOutside - writtenAtBegin < WRITTEN_FRACTION * fileBytes) {
      return false;
    }
    return !any || nowNanos - lastEndNanos >= Math.max(MIN_GAP_NANOS, 2 * lastDurationNanos);
  }

  /**
   * A checkpoint (of any cause) ran from {@code beginNanos} to {@code endNanos} and wrote {@code
   * nodeBytes} of nodes.
   */
  void checkpointed(long beginNanos, long endNanos, long writtenOutsideAtBegin, long nodeBytes) {
    if (nodeBytes > 0) {
      expectedWrite = nodeBytes; // an idle checkpoint that wrote none says nothing of the next
    }
    writtenAtBegin = writtenOutsideAtBegin;
    lastEndNanos = endNanos;
    lastDurationNanos = endNanos - beginNanos;
    any = true;
  }
}
