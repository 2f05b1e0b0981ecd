package dev.sapwood.internal.store;

import dev.sapwood.internal.util.Compressors;

/**
 * The fields of one header slot: the root of a checkpoint. See {@link HeaderEncoding} for the bytes.
 *
 * @param formatVersion the {@link FormatVersion} the file was written with
 * @param checkpointCount 0 for a freshly created file, +1 per checkpoint; the slot is {@code
 *     checkpointCount % 2}
 * @param checkpointLsn the log position the checkpoint covers (recovery replays after it)
 * @param catalogBlock the block number of the catalog (root) block, 0 for none
 * @param maxMsn the highest message sequence number contained in the checkpoint
 * @param nodeSize target node size in bytes
 * @param basementSize target basement node size in bytes
 * @param fanout maximum children per internal node
 * @param compression default compression code ({@link Compressors})
 * @param createdMillis when the file was created (epoch millis)
 * @param checkpointMillis when this checkpoint was written (epoch millis)
 * @param blockTableOffset file offset of this checkpoint's block table
 * @param blockTableSize size in bytes of that block table
 * @param nextBlockNumber one more than the highest block number ever handed out
 */
public record Header(
    int formatVersion,
    long checkpointCount,
    long checkpointLsn,
    long catalogBlock,
    long maxMsn,
    int nodeSize,
    int basementSize,
    int fanout,
    byte compression,
    long createdMillis,
    long checkpointMillis,
    long blockTableOffset,
    int blockTableSize,
    long nextBlockNumber) {

  /**
   * The tree settings fixed when a file is created.
   *
   * @param compression a {@link Compressors} code
   */
  public record Settings(int nodeSize, int basementSize, int fanout, byte compression) {
    public Settings {
      if (nodeSize <= 0 || basementSize <= 0 || fanout < 2) {
        throw new IllegalArgumentException(
            "bad settings: nodeSize=" + nodeSize + " basementSize=" + basementSize
                + " fanout=" + fanout);
      }
      if (!Compressors.isKnown(compression)) {
        throw new IllegalArgumentException("unknown compression code " + compression);
      }
    }
  }

  /** The settings recorded in this header. */
  public Settings settings() {
    return new Settings(nodeSize, basementSize, fanout, compression);
  }

  /** The slot (0 or 1) this header belongs in. */
  public int slot() {
    return (int) (checkpointCount & 1);
  }
}
