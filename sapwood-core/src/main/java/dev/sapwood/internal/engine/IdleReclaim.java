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
 * quiet: a reclaim round (move up to {@link #BYTES_PER_ROUND} from the end into the holes, then
 * two checkpoints to release the old places and cut the free tail) is due when
 * <ol>
 *   <li>no write has been sequenced for {@link #IDLE_NANOS} (the database's last MSN is the mark);</li>
 *   <li>the file is at least {@code minFileBytes} and at least a quarter of the space it uses is
 *       free or waiting for release (a round's two checkpoints release what waits);</li>
 *   <li>and the rounds since the last write have not twice in a row left the file no smaller
 *       than the smallest it was (then the holes left fit no block from the end).</li>
 * </ol>
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
  /** Bytes one round may move from the end of the file into the holes below. */
  static final long BYTES_PER_ROUND = 64L << 20;
  /** Rounds in a row that may leave the file no smaller than its smallest before it stops. */
  static final int STALE_ROUNDS = 2;

  private final long minFileBytes;
  private long mark = -1;
  private long markSeenNanos;
  private long smallest = Long.MAX_VALUE;
  private int stale;
  private boolean pending;

  IdleReclaim(long minFileBytes) {
    this.minFileBytes = minFileBytes;
  }

  /**
   * Whether a round is due now.
   *
   * @param writeMark the database's last MSN: it moves with every write
   * @param fileBytes the block file's size
   * @param freeBytes the allocator's free bytes plus the bytes waiting for release
   * @param usedBytes the bytes of the file past its fixed start (allocated plus free)
   */
  boolean due(long writeMark, long fileBytes, long freeBytes, long usedBytes, long nowNanos) {
    if (writeMark != mark) {
      mark = writeMark;
      markSeenNanos = nowNanos;
      smallest = Long.MAX_VALUE;
      stale = 0;
    }
    pending = fileBytes >= minFileBytes && freeBytes * 4 >= usedBytes && stale < STALE_ROUNDS;
    return pending && nowNanos - markSeenNanos >= IDLE_NANOS;
  }

  /** A round ran and left the file at {@code fileBytes}. */
  void roundDone(long fileBytes) {
    stale = fileBytes < smallest ? 0 : stale + 1;
    smallest = Math.min(smallest, fileBytes);
    pending = stale < STALE_ROUNDS;
  }

  /** Whether the last {@link #due} or {@link #roundDone} found work left (idle or not). */
  boolean pending() {
    return pending;
  }
}
