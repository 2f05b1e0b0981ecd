package dev.sapwood.internal.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The in-memory block table: block number to the extent holding the block's current contents.
 *
 * <p>Invariants: block numbers are > 0; extents are aligned and do not overlap each other; an
 * entry is {@code checkpointed} when a checkpoint's image (completed or in progress) may map its
 * block number to that same extent, so its space must outlive the checkpoints that a header slot
 * may still describe; {@link #index} maps exactly the block numbers of {@link #entries}, each to
 * the same entry.
 *
 * <p>Locking: not thread-safe, the owning {@link BlockFile}'s lock guards every method — except
 * {@link #get}, which a reader may call without it ({@link BlockIndex}).
 */
final class BlockTable {
  /**
   * Where one block lives.
   *
   * @param offset file offset of the extent (aligned)
   * @param size the block's size in bytes; the extent is {@code extentLength(size)} long
   * @param checkpointed whether a checkpoint image (completed or in progress) may refer to this extent
   */
  record Entry(long offset, int size, boolean checkpointed) {
    /** The length of the extent, aligned. */
    long extentLength() {
      return BlockFileFormat.extentLength(size);
    }
  }

  /** The mapping in block number order, for the whole-table work (encoding, relocation, numbers). */
  private final TreeMap<Long, Entry> entries = new TreeMap<>();
  /** The same mapping for lookups by number, readable without the lock. */
  private final BlockIndex index = new BlockIndex();

  BlockTable() {}

  BlockTable(Map<Long, Entry> loaded) {
    entries.putAll(loaded);
    for (Map.Entry<Long, Entry> e : entries.entrySet()) {
      index.put(e.getKey(), e.getValue());
    }
  }

  /**
   * The entry of {@code blockNumber}, or null. Callable without the lock: then it is the entry as of
   * some instant during the call ({@link BlockIndex}), and a caller that reads the extent must have
   * counted itself in first ({@link ExtentReclaimer#enterRead}), so the extent is not reused under it.
   */
  Entry get(long blockNumber) {
    return index.get(blockNumber);
  }

  /** Maps {@code blockNumber} to {@code e}; returns the previous entry or null. */
  Entry put(long blockNumber, Entry e) {
    index.put(blockNumber, e);
    return entries.put(blockNumber, e);
  }

  /** Unmaps {@code blockNumber}; returns the previous entry or null. */
  Entry remove(long blockNumber) {
    index.remove(blockNumber);
    return entries.remove(blockNumber);
  }

  int size() {
    return entries.size();
  }

  /** The entries in ascending block number order (a live view; do not modify). */
  Map<Long, Entry> sorted() {
    return entries;
  }

  /** A copy of this table (a checkpoint's image of it). */
  BlockTable copy() {
    return new BlockTable(entries);
  }

  /** Marks every entry checkpointed: call when a checkpoint's image of this table is taken. */
  void markAllCheckpointed() {
    for (Map.Entry<Long, Entry> e : entries.entrySet()) {
      if (!e.getValue().checkpointed()) {
        Entry marked = new Entry(e.getValue().offset(), e.getValue().size(), true);
        e.setValue(marked);
        index.put(e.getKey(), marked);
      }
    }
  }

  /** The (offset, extent length) of every entry. */
  List<long[]> extents() {
    List<long[]> out = new ArrayList<>(entries.size() + 1);
    for (Entry e : entries.values()) {
      out.add(new long[] {e.offset(), e.extentLength()});
    }
    return out;
  }
}
