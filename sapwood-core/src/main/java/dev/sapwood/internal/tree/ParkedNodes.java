package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.ParkedImages;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.ArrayPool;

/**
 * Dirty internal nodes parked off-heap instead of written back between two flushes into them
 * (docs/design.md, "Dirty internal nodes parked off-heap"): the cache's clock evicts an unused
 * dirty internal node by serializing it as for the file less its buffer filters (added only if the
 * image is written: {@link ParkedFilters}), parking the image in {@link ParkedImages} (slabs lent
 * by the off-heap tier), and dropping it from the heap. A miss of its block
 * decodes the image back, whole and dirty, as if it had never left; the checkpoint writes every
 * parked image as it writes every dirty node; when the parked memory is full, an image is written
 * to the file to make room (what eviction did for every dirty node before): one the checkpoint
 * waits for, else the parent of leaves parked last (parents of leaves take their parent's flushes
 * in turn, so the one parked last, right after its flush, is the one whose next flush is furthest
 * off), else the oldest ({@link ParkedImages#beginSpill}).
 *
 * <p>Invariants: (1) a block is either cached, parked, or neither, never both — except while the
 * clock parks a node it holds latched (parked, still in the map, and unpinnable as it leaves it)
 * and while a loader decodes a taken image (the image stays until the node is in the map), so a
 * lookup never falls between the two and reads the block's stale extent; (2) only nodes the
 * checkpoint in progress does not wait for are parked (a waiting node is written instead), and a
 * parked image marked pending at a checkpoint's begin is written for it before the checkpoint
 * completes (by the checkpoint, a spill, or, once loaded, as any waiting node); (3) a parked image
 * is the exact image {@link NodeWriter} makes of the node without its buffer filters (a decodable
 * node image), and what a spill or a checkpoint writes of it is that image with the filters added
 * ({@link ParkedFilters}): byte for byte the node's file image, so writing it is writing the node.
 */
final class ParkedNodes {
  /** Parked images copied out (to decode or to write), lent and given back after; two kept, 3 MiB at most. */
  private static final ArrayPool COPY = new ArrayPool(64 << 10, 4 << 20, 2, 3 << 20);

  private final BlockFile file;
  private final byte codec;
  private final TreeCounters counters;
  private final NodeStore store;

  ParkedNodes(BlockFile file, byte codec, TreeCounters counters, NodeStore store) {
    this.file = file;
    this.codec = codec;
    this.counters = counters;
    this.store = store;
  }

  /**
   * Parks write-latched dirty internal {@code node} (not waiting for a checkpoint), spilling
   * parked images to the file while there is no room; false if it cannot be parked (no
   * tier, a leaf, clean, waiting for the checkpoint, or larger than the parked memory can hold).
   */
  boolean park(Node node) {
    ParkedImages p = store.parked;
    if (p == null || node.height == 0 || !node.dirty || node.deltaDirty || node.pendingCheckpoint) {
      return false;
    }
    node.checkLive("parked");
    if (p.isBeingLoaded(node.key())) {
      return false; // just loaded from its image, which its loader has not let go yet
    }
    NodeWriter.Result image = NodeWriter.writeSharedUnfiltered(node, codec); // filters: only if it is written
    try {
      if (!p.fits(image.length())) {
        return false; // room is spilled only for an image that can fit
      }
      // A parent of leaves takes its parent's flushes in turn with its siblings: spilled newest first.
      while (!p.park(node.key(), image.block(), image.length(), node.height == 1)) {
        ParkedImages.Image victim = p.beginSpill(ParkedNodes::copyForWrite);
        if (victim == null) {
          return false;
        }
        write(p, victim);
      }
    } finally {
      NodeWriter.giveBack(image); // parked: copied into the slabs
    }
    counters.parkedImage(image.directory(), node.n);
    counters.parkedPartitionsUnchanged.add(PartitionStamps.unchangedSinceUnpark(node));
    return true;
  }

  /** Takes back the park of {@code node}, which the cache could not drop: it stays dirty in the cache. */
  void cancel(Node node) {
    store.parked.discard(node.key());
  }

  /**
   * The node parked under {@code block}, decoded whole and dirty (waiting for the checkpoint if its
   * image was), or null if it is not parked. Its image stays parked, taken, until {@link #entered}
   * (or {@link #abandoned}), which the loading thread calls whatever happened to the node meanwhile.
   */
  Node load(long block) {
    ParkedImages p = store.parked;
    if (p == null) {
      return null;
    }
    ParkedImages.Image image = p.take(block, COPY::take);
    if (image == null) {
      return null;
    }
    try {
      Node node = NodeReader.readImage(file, block, image.bytes(), image.length());
      if (node.height == 0) {
        throw NodeReader.corrupt(file, block, 0, "the image of a leaf");
      }
      for (int i = 0; i < node.n; i++) {
        node.buffers[i] = PartitionReader.decodeBuffer(file, block, node.disk, i, image.bytes());
      }
      node.disk = null; // its extent in the file is older than the image
      PartitionStamps.stampUnparked(node, store.stamps.next());
      node.dirty = true;
      node.pendingCheckpoint = image.pending();
      COPY.give(image.bytes()); // decoded: the node holds its own arrays
      node.holdsTakenImage = true;
      return node;
    } catch (BlockCorruption e) {
      p.restore(block);
      throw e.inParkedImage(); // the bytes are in memory: the block's extent, if any, is not damaged
    } catch (RuntimeException | Error e) {
      p.restore(block);
      throw e;
    }
  }

  /**
   * A node just {@linkplain #load loaded} is in the cache's map: if it came from its parked image,
   * the image goes. Decided by where the node came from, not by whether it is dirty: between its
   * publication in the map and this call another thread may have written it back (clean, and maybe
   * evicted since; the file holds it) or changed a node read from the file (dirty, with no image).
   */
  void entered(Node node) {
    if (node.holdsTakenImage) {
      node.holdsTakenImage = false;
      store.parked.taken(node.key());
    }
  }

  /** A node just {@linkplain #load loaded} never reached the cache's map: a parked one's image stays parked. */
  void abandoned(Node node) {
    if (node.holdsTakenImage) {
      node.holdsTakenImage = false;
      store.parked.restore(node.key());
    }
  }

  /** Writes {@code block}'s parked image if the checkpoint in progress waits for it; whether it did. */
  boolean writePending(long block) {
    ParkedImages p = store.parked;
    if (p == null) {
      return false;
    }
    ParkedImages.Image image = p.beginWrite(block, ParkedNodes::copyForWrite);
    if (image == null) {
      return false;
    }
    write(p, image);
    return true;
  }

  /** Writes every parked image (nothing else running: a database written out without a checkpoint). */
  void writeAll() {
    ParkedImages p = store.parked;
    if (p == null) {
      return;
    }
    for (ParkedImages.Image image; (image = p.beginSpill(ParkedNodes::copyForWrite)) != null;) {
      write(p, image);
    }
  }

  /** An array for a parked image of {@code length} bytes copied out to be written: with room to add its filters in place. */
  private static byte[] copyForWrite(int length) {
    return COPY.take(length + ParkedFilters.ROOM);
  }

  /**
   * Writes an image copied out for writing, its buffer filters added ({@link ParkedFilters}), into
   * the checkpoint's image if it waits for it, then lets it go.
   */
  private void write(ParkedImages p, ParkedImages.Image image) {
    boolean done = false;
    try {
      long start = System.nanoTime();
      ParkedFilters.Filtered out = ParkedFilters.add(file, image.key(), image.bytes(), image.length());
      long serialized = System.nanoTime();
      store.write(image.pending(), image.key(), out.bytes(), out.length());
      if (image.pending()) {
        counters.checkpointNodes.increment();
      }
      store.noteTimes(image.pending(), out.length(), start, serialized);
      store.internalWrites.written(image.key(), image.pending(), true, out.length());
      counters.nodesWritten.increment();
      counters.nodeBytesWritten.add(out.length());
      counters.bufferFilterBytesWritten.add(out.filterBytes());
      if (out.built() > 0) {
        counters.bufferFiltersBuilt.add(out.built());
        counters.bufferFilterKeys.add(out.keys());
      }
      done = true;
    } finally {
      if (done) {
        p.written(image.key());
      } else {
        p.writeFailed(image.key());
      }
    }
    COPY.give(image.bytes()); // written (the file copies what it writes)
  }
}
