package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.*;

import dev.sapwood.CorruptionException;
import java.util.List;

/**
 * Loads the state of an existing block file: the chosen header ({@link HeaderSelector}), its block
 * table, verified ({@link BlockTableCodec}), and the free space and free block numbers rebuilt from
 * that table (everything not referenced is free).
 *
 * <p>The table's size comes from the header and is checked against the file size before the
 * buffer for it is allocated.
 */
final class BlockFileLoader {
  /** What {@link #load} found. */
  record Loaded(Header header, BlockTable table, BlockNumberPool numbers, SpaceAllocator space) {}

  private BlockFileLoader() {}

  static Loaded load(StickyFile f) {
    long fileSize = f.size();
    Header h = HeaderSelector.select(f);
    if (h.blockTableOffset() + h.blockTableSize() > fileSize) {
      throw new CorruptionException(f.name(), h.blockTableOffset(),
          "block table of " + h.blockTableSize() + " bytes extends past the end of the file ("
              + fileSize + " bytes)");
    }
    byte[] bytes = new byte[h.blockTableSize()];
    f.readFully(h.blockTableOffset(), bytes, 0, bytes.length, "the block table");
    BlockTable table = new BlockTable(BlockTableCodec.decode(bytes, f.name(), h, fileSize));
    List<long[]> used = table.extents();
    used.add(new long[] {h.blockTableOffset(), extentLength(h.blockTableSize())});
    SpaceAllocator space = SpaceAllocator.rebuild(DATA_START, used.toArray(new long[0][]));
    BlockNumberPool numbers =
        BlockNumberPool.rebuild(h.nextBlockNumber(), table.sorted().keySet());
    return new Loaded(h, table, numbers, space);
  }
}
