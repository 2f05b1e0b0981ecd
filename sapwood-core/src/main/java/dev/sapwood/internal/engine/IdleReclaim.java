package dev.sapwood.internal.engine;

/**
 * When the file gives space back once writes stop (issue 13, bounded space). While writes go on,
 * a node rewritten after a checkpoint leaves its old extent waiting two checkpoints, and the file
 * grows to hold the tree plus that waiting space; once released, the space is free but lies in
 * holes below the file's end, and a checkpoint moves at most {@link
 * Maintenance#RELOCATE_PER_CHECKPOINT} from the end into them. Measured at 2M random puts and a
 * 32 MiB cache: after the fill the tree took 118 MiB of a 226–307 MiB file, the rest free holes.
 * Moving blocks while writes continue is mostly wasted (the writers rewrite those nodes soon, and
 * first fit by lowest address already moves a rewritten node down), so the large moves wait for
 * quiet: a reclaim round (start a new log segment, move up to {@link #bytesPerRound} from the end
 * of the file into the holes, then two checkpoints that move nothing more, to release the old
 * places, cut the free tail and delete the log segment written before the round) is due when
 * <ol>
 *   <li>no write has been sequenced for {@link #IDLE_NANOS} (the database's last MSN is the mark);</li>
 *   <li>either the file is at least {@code minFileBytes} and at least {@code 1/}{@link
 *       #FREE_DIVISOR} of the space it uses is free or waiting for release, beyond what was left
 *       free when rounds last stopped for want of progress (a round's two checkpoints release what
 *       waits) — or the log segment being written holds at least {@link #LOG_BYTES};</li>
 *   <li>and the rounds since the last write have not {@link #STALE_ROUNDS} times in a row left the
 *       file no smaller than the smallest it was (then the holes left fit no block from the end).
 *       Three, not two: the first round's checkpoint writes every dirty node beside its old copy
 *       (the file grows), and while the cleaner still flushes half-full buffers after the writes
 *       stopped, the next two rounds can each write as much again as they give back before the
 *       file shrinks (with two, a database held in memory was sometimes left at twice its blocks:
 *       {@code SpaceCheckpointsTest}).</li>
 * </ol>
 * The first version stopped once less than a quarter of the file was free: that left the file at
 * up to 4/3 of what it holds (2M random puts, 32 MiB cache: 18% free and 6% waiting after the
 * settle, and the last 63 MiB log segment beside it, 0.29 of the user bytes). A write resets the
 * count of rounds but not what was left stuck: free space that fit no block after those rounds does
 * not call for rounds again after every trickle of writes, only once as much again is freed.
 * RocksDB compacts in the background after writes stop, and so does this; {@link #pending} says
 * whether it has work left, so a benchmark's settle can wait for both alike.
 *
 * <p>Invariants: {@link #due} and {@link #roundDone} are pure functions of what they are given and
 * what they were given before. Not thread-safe: the checkpoint thread uses it under the
 * checkpointer's monitor.
 */
final class IdleReclaim {
  /** Writes must have stopped this long before a round. */
  static final long IDLE_NANOS = 2_000_000_000L;
  /** Bytes one round may move at least from the end of the file into the holes below. */
  static final long BYTES_PER_ROUND = 64L << 20;
  /** Rounds go on while at least 1/FREE_DIVISOR of the space the file uses is free or waiting. */
  static final long FREE_DIVISOR = 32;
  /** A log segment holding this much calls for a round (its records are all checkpointed by it). */
  static final long LOG_BYTES = 4L << 20;
  /** Rounds in a row that may leave the file no smaller than its smallest before it stops. */
  static final int STALE_ROUNDS = 3;

  private long minFileBytes;
  private long mark = -1;
  private long markSeenNanos;
  private long smallest = Long.MAX_VALUE;
  private int stale;
  private boolean pending;
  private long stuckFree; // free bytes left when rounds last stopped without progress
  private long lastFree;

  IdleReclaim(long minFileBytes) {
    this.minFileBytes = minFileBytes;
  }

  /** Tests: rounds for space from a file of {@code bytes} on (a test's tree is smaller than a node's 16). */
  void minFileBytes(long bytes) {
    minFileBytes = bytes;
  }

  /** Bytes a round may move in a file using {@code usedBytes}: an eighth of it, 64 MiB at least. */
  static long bytesPerRound(long usedBytes) {
    return Math.max(BYTES_PER_ROUND, usedBytes / 8);
  }

  /**
   * Whether a round is due now.
   *
   * @param writeMark the database's last MSN: it moves with every write
   * @param fileBytes the block file's size
   * @param freeBytes the allocator's free bytes plus the bytes waiting for release
   * @param usedBytes the bytes of the file past its fixed start (allocated plus free)
   * @param logBytes the bytes of the log segment being written
   */
  boolean due(long writeMark, long fileBytes, long freeBytes, long usedBytes, long logBytes, long nowNanos) {
    if (writeMark != mark) {
      mark = writeMark;
      markSeenNanos = nowNanos;
      smallest = Long.MAX_VALUE;
      stale = 0;
    }
    stuckFree = Math.min(stuckFree, freeBytes); // writes filled some of what was stuck
    lastFree = freeBytes;
    boolean space = fileBytes >= minFileBytes && (freeBytes - stuckFree) * FREE_DIVISOR >= usedBytes;
    pending = (space || logBytes >= LOG_BYTES) && stale < STALE_ROUNDS;
    return pending && nowNanos - markSeenNanos >= IDLE_NANOS;
  }

  /** A round ran and left the file at {@code fileBytes}. */
  void roundDone(long fileBytes) {
    stale = fileBytes < smallest ? 0 : stale + 1;
    smallest = Math.min(smallest, fileBytes);
    pending = stale < STALE_ROUNDS;
    if (!pending) {
      stuckFree = lastFree;
    }
  }

  /** Whether the last {@link #due} or {@link #roundDone} found work left (idle or not). */
  boolean pending() {
    return pending;
  }
}
