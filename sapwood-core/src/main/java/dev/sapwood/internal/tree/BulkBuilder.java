package dev.sapwood.internal.tree;

import dev.sapwood.internal.store.StagedBlocks;
import dev.sapwood.internal.util.ListArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds a tree bottom-up from entries in ascending key order (a bulk load): leaves are filled to
 * a target ({@code fill} of a node, in basements of the tree's basement size), each written as it
 * fills, and each full leaf adds a child to the internal node under construction one level up,
 * which is written in turn once it holds {@code fanout} children (or a quarter node of pivots).
 * Every node goes through {@link NodeWriter}, as a checkpoint's would, into {@link StagedBlocks}:
 * nothing is reachable or mapped until {@link BeTree#installLoad} puts the top level under the
 * tree's root.
 *
 * <p>Memory is bounded by the shape, not the input: one leaf (a node's worth of entries) and one
 * internal node of at most {@code fanout} children per level are under construction at a time,
 * plus the staging's 20 bytes per node written.
 *
 * <p>Invariants: the caller appends keys in strictly ascending order (the engine checks it); a
 * pivot is the first key of the subtree to its right, so every key of child i lies in [pivot i-1,
 * pivot i); a leaf holds at least one entry and at most {@code fill} of a node unless it is a
 * single entry; an internal node holds at most {@code fanout} children; every node and basement
 * carries the MSN the load took, which is below every message that can reach them after the
 * install. Not thread-safe.
 */
public final class BulkBuilder {
  /** What {@link BeTree#installLoad} puts under the root: the top level, its height, the counts. */
  public static final class Built {
    final int height;
    final byte[][] pivots;
    final long[] children;
    final long entries;
    final long msn;
    final StagedBlocks staged;

    Built(int height, byte[][] pivots, long[] children, long entries, long msn, StagedBlocks staged) {
      this.height = height;
      this.pivots = pivots;
      this.children = children;
      this.entries = entries;
      this.msn = msn;
      this.staged = staged;
    }

    /** Entries loaded. */
    public long entries() {
      return entries;
    }

    /** The height the root will have (1: the leaves are its children). */
    public int height() {
      return height;
    }
  }

  /** The internal node under construction at one height. */
  private static final class Level {
    final List<Long> children = new ArrayList<>();
    final List<byte[]> pivots = new ArrayList<>();
    byte[] lowKey;
    long pivotBytes;
  }

  private final TreeContext ctx;
  private final StagedBlocks staged;
  private final Consumer<Runnable> writes;
  private final long msn;
  private final long leafTarget;
  private final int basementSize;
  /** levels.get(h - 1) is the node under construction at height h. */
  private final List<Level> levels = new ArrayList<>();
  // the leaf under construction: closed basements, their pivots, and the open basement's arena
  private final List<Basement> basements = new ArrayList<>();
  private final List<byte[]> basementPivots = new ArrayList<>();
  private byte[] leafLowKey;
  private long leafBytes;
  private long leafEntries;
  private byte[] arena;
  private int used;
  private int[] offsets = new int[64];
  private int count;
  private long entries;
  private long nodesWritten;

  /**
   * @param staged where the nodes go, unmapped until the install
   * @param msn the load's MSN (taken when it began): every node and basement gets it
   * @param fill how full a leaf is made, as a fraction of the node size, in (0, 1]
   * @param writes runs each node's staged write (the engine runs it under its lock, so a failed
   *     write fails the database and a close waits for it)
   */
  public BulkBuilder(TreeContext ctx, StagedBlocks staged, long msn, double fill, Consumer<Runnable> writes) {
    if (!(fill > 0 && fill <= 1)) {
      throw new IllegalArgumentException("leaf fill " + fill + " is not in (0, 1]");
    }
    this.ctx = ctx;
    this.staged = staged;
    this.writes = writes;
    this.msn = msn;
    this.leafTarget = Math.max(1, (long) (ctx.nodeSize * fill));
    this.basementSize = ctx.basementSize;
    this.arena = new byte[Math.max(64, basementSize + (basementSize >> 2))];
  }

  /** Appends one entry; REQUIRES: {@code key} above every key appended before. */
  public void add(byte[] key, byte[] value) {
    int size = Basement.ENTRY_OVERHEAD + key.length + value.length;
    boolean newBasement = count > 0 && used + size > basementSize;
    long grows = size + (newBasement ? key.length + 2L : 0);
    if (leafEntries > 0 && leafBytes + grows > leafTarget) {
      closeLeaf();
      newBasement = false;
    }
    if (newBasement) {
      closeBasement();
      basementPivots.add(key.clone());
      leafBytes += key.length + 2L;
    }
    if (leafEntries == 0) {
      leafLowKey = key.clone();
    }
    if (used + size > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arena.length * 2, used + size));
    }
    if (count == offsets.length) {
      offsets = Arrays.copyOf(offsets, count * 2);
    }
    offsets[count++] = used;
    Basement.putValueEntry(arena, used, key, 0, key.length, value, 0, value.length);
    used += size;
    leafBytes += size;
    leafEntries++;
    entries++;
  }

  /** Entries appended so far. */
  public long entries() {
    return entries;
  }

  /** Nodes written so far. */
  public long nodesWritten() {
    return nodesWritten;
  }

  /**
   * Writes the leaf and the internal nodes still under construction, but the top one, which the
   * install puts in the root. Returns what to install, or null if no entry was appended (nothing
   * to install; the staging holds nothing).
   */
  public Built finish() {
    if (entries == 0) {
      return null;
    }
    if (leafEntries > 0) {
      closeLeaf();
    }
    for (int h = 1; h < levels.size(); h++) {
      closeLevel(h);
    }
    Level top = levels.get(levels.size() - 1);
    long[] children = new long[top.children.size()];
    for (int i = 0; i < children.length; i++) {
      children[i] = top.children.get(i);
    }
    return new Built(levels.size(), ListArrays.copy(top.pivots, new byte[top.pivots.size()][]), children, entries, msn, staged);
  }

  private void closeBasement() {
    basements.add(new Basement(arena, used, Arrays.copyOf(offsets, count), count, msn));
    arena = new byte[Math.max(64, basementSize + (basementSize >> 2))];
    used = 0;
    count = 0;
  }

  private void closeLeaf() {
    closeBasement();
    Node leaf = new Node(staged.newBlockNumber());
    leaf.setLeaf(ListArrays.copy(basementPivots, new byte[basementPivots.size()][]),
        ListArrays.copy(basements, new Basement[basements.size()]));
    leaf.maxMsn = msn;
    write(leaf);
    byte[] low = leafLowKey;
    basements.clear();
    basementPivots.clear();
    leafBytes = 0;
    leafEntries = 0;
    leafLowKey = null;
    push(1, leaf.key(), low);
  }

  /** Adds a written child of height {@code h - 1}, whose smallest key is {@code lowKey}, at height h. */
  private void push(int h, long child, byte[] lowKey) {
    if (levels.size() < h) {
      levels.add(new Level());
    }
    Level l = levels.get(h - 1);
    int n = l.children.size();
    if (n > 0 && (n >= ctx.fanout || (n >= 2 && l.pivotBytes + lowKey.length + 2 > ctx.nodeSize / 4))) {
      closeLevel(h);
      n = 0;
    }
    if (n == 0) {
      l.lowKey = lowKey;
    } else {
      l.pivots.add(lowKey);
      l.pivotBytes += lowKey.length + 2L;
    }
    l.children.add(child);
  }

  /** Writes the node under construction at height h and adds it to the one above. */
  private void closeLevel(int h) {
    Level l = levels.get(h - 1);
    int n = l.children.size();
    long[] children = new long[n];
    MessageBuffer[] buffers = new MessageBuffer[n];
    for (int i = 0; i < n; i++) {
      children[i] = l.children.get(i);
      buffers[i] = new MessageBuffer();
    }
    Node node = new Node(staged.newBlockNumber());
    node.setInternal(h, ListArrays.copy(l.pivots, new byte[l.pivots.size()][]), children, buffers);
    node.maxMsn = msn;
    write(node);
    byte[] low = l.lowKey;
    l.children.clear();
    l.pivots.clear();
    l.pivotBytes = 0;
    l.lowKey = null;
    push(h + 1, node.key(), low);
  }

  private void write(Node node) {
    byte[] block = NodeWriter.write(node, ctx.codec).block();
    writes.accept(() -> staged.write(node.key(), block, 0, block.length));
    nodesWritten++;
  }
}
