package dev.sapwood.internal.tree;

import java.util.concurrent.atomic.LongAdder;
import dev.sapwood.internal.cache.Cacheable;
import java.util.Arrays;

/**
 * A node of the B^ε-tree, cached under its block number: its state and the invariants below (what
 * it weighs is {@link NodeSizes}; edits of an internal node's child list are {@link ChildList}).
 * Height 0 is a leaf, whose partitions are {@link Basement}s; a higher node is internal, whose
 * partitions are the {@link MessageBuffer}s of its children. One class for both, because the root keeps its block number while it changes
 * from leaf to internal (a root split) and back (a root collapse).
 *
 * <p>Invariants:
 * <ul>
 *   <li>{@code n >= 1} partitions and {@code n - 1} pivots, strictly ascending; partition i holds
 *       keys k with pivots[i-1] <= k < pivots[i] (and within the node's own range in its parent).
 *   <li>Internal: {@code children[i]} is the block number of child i, whose height is
 *       {@code height - 1}; {@code buffers[i]} holds messages only for partition i's key range.
 *   <li>A partition ({@code basements[i]} of a leaf, {@code buffers[i]} of an internal node) is
 *       null only while the node is clean and the partition is on disk ({@code disk} says where);
 *       a dirty node has every partition in memory ({@link Partitions#loadAll} before a change).
 *   <li>A node with {@code pendingCheckpoint} still holds exactly its state of when the checkpoint
 *       began: before anything changes it (or frees it), it is written for the checkpoint first
 *       ({@link Partitions#prepareChange}).
 *   <li>Every field is read under the node's read latch and written under its write latch, except
 *       that a missing partition may be filled in under the read latch by {@link Partitions}
 *       (synchronized on {@code fetchLock}), and that a leaf's {@code view} is volatile: readers
 *       read it, and then only the view, with the leaf pinned but not latched ({@link FlushView}).
 *   <li>Leaf deltas: {@code deltaDirty} implies the segment list is known ({@code segments}
 *       non-null); a non-empty {@code delta} (messages not yet written) implies {@code deltaDirty};
 *       segments are oldest first and never change once written (a consolidation frees them all);
 *       {@code dirty} implies every basement is in memory (segments need not be); a leaf with a
 *       delta names its index in its header, so {@code deltaBlock} changes only with {@code dirty}
 *       set. Anything that changes a leaf's
 *       basements or shape first applies the delta to them ({@link Partitions#prepareChange}).
 *   <li>Freed is final: once {@link Reshaper#free} frees a node (merged into its left sibling, a
 *       root collapsed into it, its tree dropped or bulk-loaded over) its object is marked {@code
 *       freed} and nothing changes, writes back or reaches it as a live child again: every change
 *       (the child list, pivots, partitions, a flush into or out of it, dirtying, a write-back, a
 *       second free) and every pin through a parent checks the mark first ({@link #checkLive}) and
 *       throws an {@link IllegalStateException} naming the block if it is set. One plain field read
 *       per change, always on: a node is freed and changed only under its write latch, so the
 *       latch orders the mark before any later holder's check. (docs/design.md, "Concurrency": a
 *       cascade that went on in a child a root collapse had freed lost a key range, silently.)
 * </ul>
 */
final class Node extends Cacheable {
  int height;
  int n;
  byte[][] pivots;
  long maxMsn;
  boolean dirty;
  /** Dirty when the checkpoint in progress began and not yet written for it (guarded by the latch). */
  boolean pendingCheckpoint;
  /**
   * Decoded from a parked image its loader still holds TAKEN ({@link ParkedNodes#load}) until the
   * load ends ({@link ParkedNodes#entered} or {@link ParkedNodes#abandoned}). Written and read only
   * by the loading thread: other threads may write the node meanwhile, so whether it is dirty no
   * longer tells where it came from.
   */
  boolean holdsTakenImage;
  /**
   * The versions store of the tree this node belongs to (in memory only), where a flush into this
   * leaf keeps the old values live snapshots need. Set before the cache publishes the node — by its
   * loader, from the parent it is loaded through or its tree's registration if it is a root; by
   * whatever makes it, from a node of the same tree ({@link NodeOwners}) — and never changed: never
   * null on a node in the cache.
   */
  Versions versions;
  /**
   * Leaf only, in memory only (not stored): how many flushes in a row brought this leaf nothing but
   * keys above all it held — an ascending load at its end (TokuFT's sequential-insert score, kept
   * per leaf). A flush of any other kind resets it. Guarded by the write latch.
   */
  int appendFlushes;
  /**
   * Leaf only: what readers read while a flush that holds the write latch rebuilds the basements
   * (set and cleared under the write latch; null otherwise). See {@link FlushView}.
   */
  volatile FlushView view;

  // internal nodes
  long[] children;
  MessageBuffer[] buffers;

  // leaves
  Basement[] basements;

  /**
   * Leaf only: the block number of the leaf's delta index (0: none), which lists the leaf's
   * immutable delta segments: runs of messages flushed into the leaf but not yet applied to its
   * basements, each written once to a block of its own ({@link LeafDeltas}; docs/design.md, "Leaf
   * deltas"). The leaf's header names the index; once a leaf has one it keeps it until the leaf is
   * freed or left under a quarter node.
   */
  long deltaBlock;
  /** Leaf only: the delta's segments, oldest first, or null while the index was not read. */
  volatile DeltaSegment[] segments;
  /**
   * Leaf only: messages appended since the leaf was last written back (the segment its next
   * write-back adds; newer than every segment), or null when there are none.
   */
  MessageBuffer delta;
  /**
   * Leaf only: the block number the unwritten messages will be written to as a segment (0: none),
   * taken when the first of them is appended. Taken then, not at the write: a leaf that the
   * checkpoint in progress waits for writes its segment into the checkpoint's image, and a number
   * handed out before the checkpoint began cannot be one the image still maps for a segment freed
   * since (block numbers are reusable as soon as they are freed).
   */
  long deltaTailBlock;
  /** Leaf only: the delta changed since it was last written (a new segment to write, or the index). */
  boolean deltaDirty;
  /** Leaf only, set by a flush that appended to the delta and taken by the reshaper: nothing to reshape. */
  boolean deltaAppended;

  /**
   * The logical row count of the tree this node belongs to; set, with {@link #versions}, before the
   * cache publishes the node ({@link NodeOwners}), and never changed.
   */
  LongAdder rows;

  /** Where the partitions lie in the node's block, once read or written; used while clean. */
  PartitionDirectory disk;
  /** The stamp of the node's last image, written or read ({@link PartitionStamps}); 0: none. In memory only. */
  long diskStamp;
  /**
   * The stamp its buffers got when the node was decoded from a parked image ({@link
   * PartitionStamps#stampUnparked}); 0: none. Beside {@link #diskStamp}, which a parked image does
   * not set (the file does not hold it). In memory only.
   */
  long parkStamp;
  final Object fetchLock = new Object();
  /** Per partition: used by a reader since the cache's last pass (racy marks; see takeUsed). */
  private byte[] used = new byte[0];
  /** Set once by {@link #markFreed}, under the write latch; see the class invariants. */
  private boolean freed;

  Node(long blockNumber) {
    super(blockNumber);
  }

  /** A new empty leaf (one empty basement), dirty. */
  static Node newLeaf(long blockNumber) {
    Node node = new Node(blockNumber);
    node.setLeaf(new byte[0][], new Basement[] {Basement.empty()});
    node.markDirty();
    return node;
  }

  /**
   * Marks this write-latched node freed (its block is being given back); throws if it already
   * was (a second free).
   */
  void markFreed() {
    checkLive("freed again");
    freed = true;
  }

  /** Whether {@link #markFreed} was called (read under the latch, or by a test). */
  boolean freed() {
    return freed;
  }

  /**
   * Throws an {@link IllegalStateException} naming this node if it was freed: called before every
   * change of a node and on every pin of a child (one field read).
   */
  void checkLive(String what) {
    if (freed) {
      throw freedError(what);
    }
  }

  private IllegalStateException freedError(String what) {
    return new IllegalStateException("node block " + key() + " (height " + height + ") " + what
        + " after it was freed: a use after free of a merged, collapsed or dropped node");
  }

  /** Marks this write-latched node dirty (changed since it was last written); checks it is live. */
  void markDirty() {
    checkLive("dirtied");
    dirty = true;
  }

  void setLeaf(byte[][] pivots, Basement[] basements) {
    checkLive("given new basements");
    this.height = 0;
    this.n = basements.length;
    this.pivots = pivots;
    this.basements = basements;
    this.children = null;
    this.buffers = null;
    this.disk = null;
    this.used = new byte[n];
  }

  void setInternal(int height, byte[][] pivots, long[] children, MessageBuffer[] buffers) {
    checkLive("given new children");
    this.height = height;
    this.n = children.length;
    this.pivots = pivots;
    this.children = children;
    this.buffers = buffers;
    this.basements = null;
    this.disk = null;
    this.used = new byte[n];
  }

  /** Notes that a reader used partition i (so the cache's next pass keeps it). */
  void markUsed(int i) {
    byte[] u = used;
    if (i < u.length && u[i] == 0) {
      u[i] = 1;
    }
  }

  /** Whether partition i was used since the last call, clearing the mark. Write-latched. */
  boolean takeUsed(int i) {
    byte[] u = used;
    if (i < u.length && u[i] != 0) {
      u[i] = 0;
      return true;
    }
    return false;
  }

  /** Whether any partition is in memory (read racily by the cache's clock: a hint): {@link NodeSizes}. */
  boolean residentParts() {
    return NodeSizes.residentParts(this);
  }

  /**
   * Whether partition i is in memory. One array is read whatever the kind of node: C2 hoists the
   * range checks of a loop over the partitions (loop predication), and with an access in each arm
   * of the kind's branch it hoisted the arm a leaf never takes too, whose check fails on a leaf
   * ({@code buffers} is null) and throws the compiled loop away.
   */
  boolean loaded(int i) {
    Object[] parts = height == 0 ? basements : buffers;
    return parts[i] != null;
  }

  /** Whether every partition is in memory (a dirty node's always are). */
  boolean loadedWhole() {
    for (int i = 0; i < n; i++) {
      if (!loaded(i)) {
        return false;
      }
    }
    return true;
  }

  boolean isLeaf() {
    return height == 0;
  }

  /** Partition holding {@code key}. */
  int partitionFor(byte[] key) {
    return Keys.childFor(pivots, n - 1, key);
  }

  /** Partition holding the largest key below {@code key} (null: the last). */
  int partitionBefore(byte[] key) {
    return Keys.childBefore(pivots, n - 1, key);
  }

  /** Inclusive lower bound of partition i within this node (null: the node's own lower bound). */
  byte[] lowerBound(int i) {
    return i == 0 ? null : pivots[i - 1];
  }

  /** Exclusive upper bound of partition i within this node (null: the node's own upper bound). */
  byte[] upperBound(int i) {
    return i == n - 1 ? null : pivots[i];
  }

  /** Bytes of buffered messages (internal) or of entries (leaf), plus pivots: {@link NodeSizes#bytes}. */
  long bytes() {
    return NodeSizes.bytes(this);
  }

  /** Bytes of pivots as laid out in the node's header: {@link NodeSizes#pivotBytes}. */
  long pivotBytes() {
    return NodeSizes.pivotBytes(this);
  }

  /** Bytes of buffered messages of an internal node: {@link NodeSizes#bufferBytes}. */
  long bufferBytes() {
    return NodeSizes.bufferBytes(this);
  }

  @Override
  public long memoryBytes() {
    return NodeSizes.memoryBytes(this);
  }

  @Override
  public boolean isDirty() {
    return dirty || deltaDirty;
  }

  /**
   * Leaf only: whether the delta may hold messages (it has a segment, messages not yet written, or
   * an index not read yet).
   */
  boolean deltaMayHoldMessages() {
    if (height != 0 || deltaBlock == 0) {
      return false;
    }
    DeltaSegment[] segs = segments;
    return segs == null || segs.length > 0 || delta != null && !delta.isEmpty();
  }

  /** Replaces child i by {@code newChildren} (a child split): {@link ChildList#replaceChild}. */
  void replaceChild(int i, long[] newChildren, MessageBuffer[] newBuffers, byte[][] newPivots) {
    ChildList.replaceChild(this, i, newChildren, newBuffers, newPivots);
  }

  /** Removes child i+1, folding its buffer into child i's: {@link ChildList#removeRightChild}. */
  void removeRightChild(int i) {
    ChildList.removeRightChild(this, i);
  }

  @Override
  public String toString() {
    return "Node{block=" + key() + ", height=" + height + ", n=" + n + ", bytes=" + bytes()
        + ", dirty=" + dirty + ", pivots=" + Arrays.stream(pivots).map(Arrays::toString).toList() + "}";
  }
}
