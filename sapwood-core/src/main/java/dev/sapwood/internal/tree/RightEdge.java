package dev.sapwood.internal.tree;

import dev.sapwood.internal.cache.CacheTable;
import java.util.Arrays;

/**
 * TokuFT's sequential-insert heuristic (its "promotion" of messages and {@code seqinsert_score}),
 * for one {@link BeTree}: a put whose key is above everything at the right edge of the tree goes
 * straight into the rightmost leaf's last basement, skipping the root buffer, the flushes down and
 * the merge into the leaf. An ascending load then costs one append per put, and the leaf splits
 * left-heavy as it fills ({@link Reshaper#splitAtEdge}), leaving full leaves behind.
 *
 * <p>A put is promoted only when all of these hold, checked on the way down with every node of the
 * right edge write-latched (parent before child, from the root the writer holds):
 * <ul>
 *   <li>it is a PUT (no delete, update or range message) and no snapshot is open;
 *   <li>at every internal node of the edge the key falls in the last partition, and that
 *       partition's buffer is empty and in memory: nothing is buffered above the rightmost leaf, so
 *       no older message of the key, and no range message over it, waits above;
 *   <li>every node of the edge is cached and the leaf wholly in memory (no read under the root),
 *       with no message waiting in its delta ({@link LeafDeltas}: known empty, not on disk);
 *   <li>unless the puts before it were promoted (an ascending load), no other thread holds or
 *       waits for the latch of a node of the edge: a random put that reaches the edge after a
 *       flush emptied the root's last buffer would otherwise wait, holding the root, for that
 *       flush's cascade below (no wait under the root);
 *   <li>in the leaf the key falls in the last basement and is above its last key (an append).
 * </ul>
 * Otherwise the put goes into the root's buffer as any other message. A refusal after a descent
 * makes the next {@link #BACKOFF} puts skip the descent (the score goes negative), so a random load
 * whose key happens to land at the edge pays for a descent rarely. Promotion resumes after keys stopped
 * ascending once a flush has emptied every buffer on the edge (a flush from the root cascades into
 * the last child's subtree when it is the heaviest, as under an ascending load).
 *
 * <p>Invariants: a promoted put's MSN is above every MSN in the tree, and nothing is buffered
 * above the leaf for the basement it enters, so the basement's max MSN may become that MSN
 * ({@link Basement}'s invariant holds); every node of the edge takes it as its max MSN too, so no
 * node's max MSN is above its parent's (what {@code Verifier} checks on disk). A snapshot that opens while the put's root is still latched
 * can be below its MSN (the MSN is visible only once the writer publishes it): before the root is
 * let go, {@link #beforeRelease} records for each such snapshot that the key was absent
 * ({@link Versions}), while no reader can yet have reached the leaf through the latched root.
 *
 * <p>Cost (TokuFT remembers {@code rightmost_blocknum} for the same reason): the edge's node
 * objects are remembered between puts ({@code known}) and re-pinned without a cache lookup while
 * each is still the cached node its latched parent names; nothing stays pinned or latched between
 * puts. A promoted put's memory is given to the cache as its known growth ({@link
 * CacheTable#unpinWriteGrown}), not measured by a walk; a node prepared for a checkpoint, a leaf
 * that took a new basement and the parent of a split are measured again, so every cached node's
 * accounted bytes stay equal to its memory.
 *
 * <p>Locking: every field is guarded by the tree's root write latch (one writer at a time).
 */
final class RightEdge {
  /** Puts that skip the descent after a descent was refused. */
  static final int BACKOFF = 64;

  private final TreeContext ctx;
  private final Versions versions;
  /** Above 0: puts promoted in a row; below 0: puts left to skip after a refusal. */
  private int score;
  /** The edge below the root on the current descent, top down. */
  private Node[] path = new Node[8];
  /**
   * The edge below the root as the last promoted put found it, top down (TokuFT's remembered
   * {@code rightmost_blocknum}): a descent re-pins these objects without a cache lookup while each
   * is still the cached node its parent names ({@link CacheTable#pinWriteKnown}). Cleared on a
   * refusal, so a random load keeps no evicted node alive through it.
   */
  private Node[] known = new Node[8];
  /** Which nodes of {@link #path} this put changed beyond their max MSN (they are re-measured). */
  private boolean[] remeasure = new boolean[8];
  /** Puts promoted under the current root latch (for {@link #beforeRelease}). */
  private byte[][] keys = new byte[4][];
  private long[] msns = new long[4];
  private int promoted;

  RightEdge(TreeContext ctx, Versions versions) {
    this.ctx = ctx;
    this.versions = versions;
  }

  /**
   * Puts {@code (key, value)} with {@code msn} straight into the rightmost leaf if it can take it
   * (see the class comment) and returns true; otherwise changes nothing and returns false.
   * Reshapes the edge bottom-up after a promoted put (splits only: a fusible edge leaf is the
   * load's newest and fills again).
   *
   * <p>REQUIRES: {@code root} is write-latched by this thread, fully in memory, and {@code msn}
   * is above every MSN in the tree.
   */
  boolean tryPromote(Node root, byte[] key, byte[] value, long msn) {
    if (!ctx.shape.promoteAtEdge) {
      return false;
    }
    int last = root.n - 1;
    if (root.partitionFor(key) != last) {
      return false;
    }
    if (score < 0) {
      score++; // every put that reaches the edge counts down the backoff
      return false;
    }
    MessageBuffer top = root.buffers[last];
    if (top == null || !top.isEmpty()) {
      return false; // the cheap check: no descent, no backoff
    }
    if (ctx.snapshots.openCount() > 0) {
      return false;
    }
    int depth = 0;
    Node node = root;
    boolean ok = true;
    while (node.height > 0) {
      last = node.n - 1;
      MessageBuffer b = node.buffers[last];
      if (b == null || !b.isEmpty() || node.partitionFor(key) != last) {
        ok = false;
        break;
      }
      Node child = pinChild(node, last, depth);
      if (child == null) {
        ok = false;
        break;
      }
      path[depth++] = child;
      node = child;
    }
    ok = ok && appendable(node, key);
    if (!ok) {
      for (int i = depth - 1; i >= 0; i--) {
        ctx.cache.unpinWriteGrown(path[i], 0); // unchanged
        path[i] = null;
      }
      Arrays.fill(known, null);
      ctx.counters.promotionsRefused.increment();
      score = -BACKOFF;
      return false;
    }
    for (int i = 0; i < depth - 1; i++) { // a node's max MSN is never below its children's
      Node internal = path[i];
      remeasure[i] = !internal.dirty || internal.pendingCheckpoint;
      if (remeasure[i]) {
        ctx.partitions.prepareChange(internal);
      }
      internal.maxMsn = Math.max(internal.maxMsn, msn);
      internal.markDirty();
    }
    long leafGrowth = append(node, key, value, msn);
    remeasure[depth - 1] = leafGrowth < 0;
    for (int i = depth - 1; i >= 0; i--) {
      Node child = path[i];
      Node parent = i == 0 ? root : path[i - 1];
      path[i] = null;
      if (ctx.shape.fissible(child)) {
        known[i] = null; // split: the edge below here is new
        if (i > 0) {
          remeasure[i - 1] = true; // the parent took a child and a pivot
        }
        ctx.flusher.reshaper().splitAtEdge(parent, parent.n - 1, child);
      } else if (remeasure[i]) {
        ctx.cache.unpinWrite(child);
      } else {
        ctx.cache.unpinWriteGrown(child, i == depth - 1 ? leafGrowth : 0);
      }
    }
    if (ctx.shape.fissible(root)) {
      ctx.flusher.reshaper().reshapeRoot(root);
    }
    ctx.counters.insertsPromoted.increment();
    score = score == Integer.MAX_VALUE ? score : score + 1;
    return true;
  }

  /** Whether write-latched {@code leaf} is wholly in memory and {@code key} is an append to its last basement. */
  private static boolean appendable(Node leaf, byte[] key) {
    if (leaf.height != 0) {
      return false;
    }
    if (leaf.deltaMayHoldMessages()) {
      // Messages may wait in the leaf's delta with MSNs below the put's: appended to a basement,
      // the put would lift its max MSN over them and readers would skip them (Basement).
      return false;
    }
    if (!leaf.dirty && !leaf.loadedWhole()) { // a dirty node has every partition in memory
      return false;
    }
    int last = leaf.n - 1;
    if (leaf.partitionFor(key) != last) {
      return false;
    }
    Basement b = leaf.basements[last];
    int c = b.count();
    return c == 0 || Keys.compare(b.arena(), b.keyOff(c - 1), b.keyLen(c - 1), key) < 0;
  }

  /**
   * Write-pins child {@code c} (the last) of write-pinned {@code parent}, at {@code depth} below
   * the root, if it is cached: the object remembered at that depth when it is still the one the
   * parent names, else by a cache lookup; null if not cached, or, unless puts are being promoted
   * in a row, if another thread holds or waits for its latch.
   */
  private Node pinChild(Node parent, int c, int depth) {
    if (depth == path.length) {
      path = Arrays.copyOf(path, 2 * depth);
      known = Arrays.copyOf(known, 2 * depth);
      remeasure = Arrays.copyOf(remeasure, 2 * depth);
    }
    // Wait for an edge node's latch only during a streak of promoted puts (an ascending load,
    // whose edge nothing else holds for long). Otherwise this put probes the edge for a random
    // load, and the latch is most likely held by the flush that just emptied the buffer above it,
    // cascading below: waiting, the writer would sit out that flush with the root latched.
    boolean wait = score > 0;
    Node k = known[depth];
    if (k != null && k.key() == parent.children[c] && ctx.cache.pinWriteKnown(k, wait)) {
      return ctx.checkChild(parent, c, k, true);
    }
    Node child = ctx.pinChildWriteIfCached(parent, c, wait);
    if (child == null && !wait && ctx.cache.isCached(parent.children[c])) {
      ctx.counters.promotionsBusy.increment();
    }
    known[depth] = child;
    return child;
  }

  /**
   * Appends the put to the leaf's last basement, or to a new one past it when that one is full.
   * Returns by how many bytes the leaf's {@link Node#memoryBytes()} grew, or -1 if the leaf must
   * be measured again (it was prepared for a change, or took a new basement).
   */
  private long append(Node leaf, byte[] key, byte[] value, long msn) {
    long growth = 0;
    if (!leaf.dirty || leaf.pendingCheckpoint) {
      ctx.partitions.prepareChange(leaf); // writes it first if a checkpoint still needs it as it was
      growth = -1;
    }
    int last = leaf.n - 1;
    Basement b = leaf.basements[last];
    int size = Basement.ENTRY_OVERHEAD + key.length + value.length;
    if (b.count() > 0 && b.bytes() + size > ctx.basementSize) {
      byte[][] pivots = Arrays.copyOf(leaf.pivots, leaf.n);
      pivots[leaf.n - 1] = key.clone();
      Basement[] basements = Arrays.copyOf(leaf.basements, leaf.n + 1);
      basements[leaf.n] = Basement.empty().appended(key, value, msn, ctx.basementSize);
      leaf.setLeaf(pivots, basements);
      growth = -1;
    } else {
      Basement grown = b.appended(key, value, msn, ctx.basementSize);
      leaf.basements[last] = grown;
      if (growth == 0) {
        growth = grown.memoryBytes() - b.memoryBytes();
      }
    }
    leaf.maxMsn = Math.max(leaf.maxMsn, msn);
    leaf.markDirty();
    leaf.appendFlushes = Math.max(leaf.appendFlushes, Reshaper.SEQUENTIAL_FLUSHES);
    leaf.rows.increment();
    if (promoted == keys.length) {
      keys = Arrays.copyOf(keys, 2 * promoted);
      msns = Arrays.copyOf(msns, 2 * promoted);
    }
    keys[promoted] = key;
    msns[promoted] = msn;
    promoted++;
    return growth;
  }

  /**
   * Before the root latch goes: for every put promoted under it, records that its key was absent
   * for each live snapshot below its MSN (one opened after the put's check; see the class comment).
   * REQUIRES: the root is still write-latched by this thread, and every promoted MSN is visible.
   */
  void beforeRelease() {
    if (promoted == 0) {
      return;
    }
    long[] live = ctx.snapshots.live();
    for (int i = 0; i < promoted; i++) {
      if (live.length > 0 && live[0] < msns[i]) {
        versions.record(keys[i].clone(), null, msns[i], 0, live);
      }
      keys[i] = null;
    }
    promoted = 0;
  }

  /** Forgets the puts promoted under a latch abandoned after a failure. */
  void forget() {
    Arrays.fill(keys, 0, promoted, null);
    promoted = 0;
  }
}
