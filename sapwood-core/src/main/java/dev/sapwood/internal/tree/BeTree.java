package dev.sapwood.internal.tree;

/**
 * One B^ε-tree: inserts messages at the root, answers point queries and reads cursor chunks by
 * applying buffered messages on the way down. This class wires the tree's parts and routes calls
 * to them: the root's write latch and inserts ({@link RootLatch}), the root's flushes ({@link
 * RootFlushes}), the read path ({@link TreeReader}) and a bulk load's install ({@link
 * LoadInstall}).
 *
 * <p>Invariants: the root's block number never changes, and the root is always internal (height
 * at least 1), so every change enters a buffer.
 *
 * <p>Locking: writers write-latch the root and take each message's MSN with it latched, so a
 * key's messages enter the tree, and reach its leaf, in MSN order; they flush parent-before-child. Readers couple read latches down one
 * root-to-leaf path. Thread-safe.
 */
public final class BeTree {
  private final TreeContext ctx;
  private final long root;
  /** The root's background and inline flushes. */
  private final RootFlushes flushes;
  /** The old values this tree's live snapshots still need (see {@link Versions}). */
  private final Versions versions;
  /** Point queries and cursor chunks (the read path). */
  private final TreeReader reader;
  /** The root's write latch and the inserts made under it (the write path). */
  private final RootLatch latch;
  /** A bulk load's emptiness check and install. */
  private final LoadInstall load;

  public BeTree(TreeContext ctx, long rootBlock) {
    this.ctx = ctx;
    this.root = rootBlock;
    this.versions = ctx.owners.register(rootBlock); // made by create, or now for a tree opened
    this.reader = new TreeReader(ctx, rootBlock, versions);
    this.flushes = new RootFlushes(ctx, rootBlock);
    this.latch = new RootLatch(ctx, rootBlock, versions, flushes);
    this.load = new LoadInstall(ctx, rootBlock, versions);
  }

  /**
   * Creates an empty tree — a root of height 1 over one empty leaf — and returns its root block
   * number. The root is always internal, so even a small tree's writes are buffered and reach the
   * leaf in batches instead of rebuilding a basement per write.
   */
  public static long create(TreeContext ctx) {
    Node leaf = Node.newLeaf(ctx.file.allocateBlockNumber());
    Node root = new Node(ctx.file.allocateBlockNumber());
    ctx.owners.register(root.key()); // before its first nodes are published: they know their tree
    ctx.owners.adopt(root, null);
    NodeOwners.adoptFrom(leaf, root);
    ctx.cache.insertPinned(leaf);
    ctx.cache.insertPinned(root);
    root.setInternal(1, new byte[0][], new long[] {leaf.key()}, new MessageBuffer[] {new MessageBuffer()});
    root.markDirty();
    long block = root.key();
    ctx.cache.unpinWrite(leaf);
    ctx.cache.unpinWrite(root);
    return block;
  }

  public long rootBlock() {
    return root;
  }

  public void put(byte[] key, byte[] value) {
    apply(MessageType.PUT, key, value, null);
  }

  public void delete(byte[] key) {
    apply(MessageType.DELETE, key, RootLatch.EMPTY, null);
  }

  public void update(byte[] key, byte[] fnName, byte[] argument) {
    apply(MessageType.UPDATE, key, argument, fnName);
  }

  public void deleteRange(byte[] from, byte[] to) {
    apply(MessageType.DELETE_RANGE, from, to, null);
  }

  /**
   * Applies one change with the next MSN, as one latch, insert and unlatch. For changes that need
   * no log order (replay, which runs alone, and tests); the engine's write path sequences its
   * changes itself through {@link #latchRoot}, {@link #insertLatched} and {@link #unlatchRoot}.
   *
   * @param type a {@link MessageType} code; for DELETE {@code value} is ignored, for
   *     DELETE_RANGE it is the exclusive end key (an empty or inverted range changes nothing), for
   *     UPDATE_RANGE the end and argument as {@link RangeUpdates#encode} makes them (checked by
   *     the caller)
   */
  public void apply(byte type, byte[] key, byte[] value, byte[] fnName) {
    latchRoot();
    boolean inserted = false;
    try {
      insertLatched(type, key, value, fnName, ctx.nextMsn());
      inserted = true;
    } finally {
      if (!inserted) {
        abandonLatch();
      }
    }
    unlatchRoot();
  }

  /** Write-latches the root until {@link #unlatchRoot} or {@link #releaseRoot}; see {@link RootLatch#latch}. */
  public void latchRoot() {
    latch.latch();
  }

  /** Inserts one message with {@code msn} under the root latch; see {@link RootLatch#insert}. */
  public void insertLatched(byte type, byte[] key, byte[] value, byte[] fn, long msn) {
    latch.insert(type, key, value, fn, msn);
  }

  /**
   * Lets the latched root go. A gorged root is handed to a background flush while it holds less
   * than twice its size; past that this writer flushes it itself (back-pressure: slowed, never
   * stopped dead). REQUIRES: the calling thread holds no other root latch (a flush re-latches
   * this root; use {@link #releaseRoot} when letting several go).
   */
  public void unlatchRoot() {
    if (releaseRoot()) {
      flushAsWriter();
    }
  }

  /**
   * Lets the latched root go without flushing it; true if this writer must then call {@link
   * #flushAsWriter}, once it holds no root latch. See {@link RootLatch#release}.
   */
  public boolean releaseRoot() {
    return latch.release();
  }

  /**
   * Flushes the root if it is gorged: a writer's back-pressure after {@link #releaseRoot}.
   * REQUIRES: the calling thread holds no root latch.
   */
  public void flushAsWriter() {
    flushes.flushAsWriter();
  }

  /** Releases every latch and pin the calling thread holds after a failed insert; see {@link RootLatch#abandon}. */
  public void abandonLatch() {
    latch.abandon();
  }

  /** The value of {@code key} with every buffered message applied, or null. */
  public byte[] get(byte[] key) {
    return reader.get(key, Long.MAX_VALUE);
  }

  /**
   * The value of {@code key} at the snapshot {@code s} (an open snapshot's MSN, see {@link
   * SnapshotRegistry}), or null: the buffered messages at or below {@code s} applied to the leaf's
   * entry, or the version a flush kept for the snapshot.
   */
  public byte[] get(byte[] key, long s) {
    return reader.get(key, s);
  }

  /**
   * Reads the chunk of live entries starting at {@code from} (inclusive; null = the first key) up
   * to the end of the basement holding it.
   */
  public Chunk readForward(byte[] from) {
    return readForward(from, Integer.MAX_VALUE);
  }

  /**
   * Like {@link #readForward(byte[])}, but stops after {@code limit} entries; the chunk's {@code
   * next} is then just past its last key. A seek followed by a few steps reads a few entries, not
   * the rest of a basement.
   */
  public Chunk readForward(byte[] from, int limit) {
    return readForward(from, null, limit, Long.MAX_VALUE);
  }

  /** {@link #readForward(byte[], int)} at the snapshot {@code s} (see {@link #get(byte[], long)}). */
  public Chunk readForward(byte[] from, int limit, long s) {
    return readForward(from, null, limit, s);
  }

  /** {@link #readBackward(byte[])} at the snapshot {@code s} (see {@link #get(byte[], long)}). */
  public Chunk readBackward(byte[] to, long s) {
    return readBackward(to, null, s);
  }

  /**
   * Like {@link #readForward(byte[], int)}, but reads no key at or past {@code stop} (exclusive;
   * null = no stop): a bounded cursor that reaches its range's end in a basement applies nothing
   * beyond it, and the chunk is {@link Chunk#atEnd()} once nothing is left below {@code stop}.
   */
  public Chunk readForward(byte[] from, byte[] stop, int limit) {
    return readForward(from, stop, limit, Long.MAX_VALUE);
  }

  /** {@link #readForward(byte[], byte[], int)} at the snapshot {@code s} (Long.MAX_VALUE: none). */
  public Chunk readForward(byte[] from, byte[] stop, int limit, long s) {
    return readForward(from, stop, limit, s, new Chunk());
  }

  /**
   * {@link #readForward(byte[], byte[], int, long)} into {@code into}, emptied first ({@link
   * Chunk#reset}) and returned: a cursor reads into the chunks it keeps. If the read throws, what
   * {@code into} holds is undefined.
   */
  public Chunk readForward(byte[] from, byte[] stop, int limit, long s, Chunk into) {
    if (limit < 1) {
      throw new IllegalArgumentException("chunk limit " + limit);
    }
    return reader.readForward(from, stop, limit, s, into);
  }

  /**
   * Reads the chunk of live entries below {@code to} (exclusive; null = past the last key) down
   * to the start of the basement holding the largest key below it.
   */
  public Chunk readBackward(byte[] to) {
    return readBackward(to, null, Long.MAX_VALUE);
  }

  /**
   * Like {@link #readBackward(byte[])}, but reads no key below {@code stop} (inclusive lower
   * bound; null = none), and the chunk is {@link Chunk#atEnd()} once nothing is left at or above it.
   */
  public Chunk readBackward(byte[] to, byte[] stop) {
    return readBackward(to, stop, Long.MAX_VALUE);
  }

  /** {@link #readBackward(byte[], byte[])} at the snapshot {@code s} (Long.MAX_VALUE: none). */
  public Chunk readBackward(byte[] to, byte[] stop, long s) {
    return readBackward(to, stop, Integer.MAX_VALUE, s);
  }

  /**
   * Like {@link #readBackward(byte[], byte[], long)}, but the chunk reaches down only about {@code
   * limit} of the basement's entries below {@code to} (never fewer entries of the range than that
   * for this reason; buffered messages may add or remove some): a cursor stepping back a few
   * entries reads a few entries' frames and messages, not a whole basement's.
   */
  public Chunk readBackward(byte[] to, byte[] stop, int limit, long s) {
    return readBackward(to, stop, limit, s, new Chunk());
  }

  /**
   * {@link #readBackward(byte[], byte[], int, long)} into {@code into}, emptied first and returned
   * (see {@link #readForward(byte[], byte[], int, long, Chunk)}).
   */
  public Chunk readBackward(byte[] to, byte[] stop, int limit, long s, Chunk into) {
    if (limit < 1) {
      throw new IllegalArgumentException("chunk limit " + limit);
    }
    return reader.readBackward(to, stop, limit, s, into);
  }

  /**
   * Flushes every buffered message down to the leaves, merging and collapsing the tree where the
   * messages emptied it. Safe to run concurrently with readers and writers.
   */
  public void flushAll() {
    ctx.guarded(() -> {
      ctx.drainer.drain(root);
      return null;
    });
  }

  /**
   * The tree's logical row count: the entries in its leaves, kept as flushes apply messages there
   * (exact for them), without the changes still buffered above the leaves. No walk, no latch.
   */
  public long approximateRows() {
    return ctx.rows(root).sum();
  }

  /** Whether the tree is empty as a bulk load needs it; see {@link LoadInstall#isEmpty}. */
  public boolean isEmptyForLoad() {
    return load.isEmpty();
  }

  /**
   * Installs a bulk load under this tree's root; see {@link LoadInstall#install}. REQUIRES: the
   * caller excludes every other reader and writer of the database, and found the tree {@link
   * #isEmptyForLoad() empty} and no snapshot open since it did (re-checked: see LoadInstall).
   */
  public void installLoad(BulkBuilder.Built built) {
    load.install(built);
  }

  /**
   * Frees every block of this tree. The caller guarantees no one else uses the tree (the database
   * holds its exclusive lock).
   */
  public void destroy() {
    flushes.cancel(); // a root flush queued before now finds its blocks freed and does nothing
    latch.retireCounts();
    ctx.guarded(() -> {
      destroy(ctx.pinRootWrite(root));
      return null;
    });
    ctx.owners.unregister(root); // after its last node: a root loaded for the walk knows its tree
  }

  /** Frees write-pinned {@code node} and everything below it. */
  private void destroy(Node node) {
    if (node.height > 0) {
      for (int c = 0; c < node.n; c++) {
        destroy(ctx.pinChildWrite(node, c));
      }
    }
    ctx.flusher.reshaper().free(node);
  }
}
