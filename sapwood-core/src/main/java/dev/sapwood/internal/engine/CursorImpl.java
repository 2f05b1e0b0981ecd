package dev.sapwood.internal.engine;

import dev.sapwood.Cursor;
import dev.sapwood.Entry;
import dev.sapwood.Limits;
import dev.sapwood.Tree;
import dev.sapwood.internal.tree.Chunk;
import java.util.Arrays;

/**
 * A cursor reading its tree one chunk (one basement's key range, buffered messages applied) at a
 * time; see {@link Cursor} for the consistency it gives. After a seek the first chunk holds at
 * most {@link #FIRST_CHUNK} entries and each following one four times more, so a short scan reads
 * a few entries while a long one soon reads whole basements; backward likewise (a chunk reaching
 * about that many of a basement's entries below its bound). Holds no latch between calls, so it
 * never pins a node (or a block that could be freed) while the caller is away.
 *
 * <p>A bounded cursor ({@link Tree#cursor(dev.sapwood.KeyRange)}, ascending; {@link
 * ReversedCursor} mirrors it) has {@code lo} (inclusive) and {@code hi} (exclusive), either null
 * for none. Invariants: every chunk it holds lies inside them, since each read is told where the
 * range ends ({@code BeTree.readForward(from, stop, limit)}, {@code readBackward(to, stop, limit)}) and
 * applies nothing past it; a chunk that reaches the bound is at its end, so the cursor never reads
 * the basement beyond it. No read starts at or past a bound.
 */
final class CursorImpl implements AscendingCursor {
  private final DatabaseImpl db;
  private final TreeImpl tree;
  private final byte[] lo;
  private final byte[] hi;
  /** The snapshot it reads at, or null: the tree as it is at each step (weakly consistent). */
  private final SnapshotImpl snapshot;
  /** Entries in the first chunk after a seek; each further chunk in the same direction takes four times more. */
  static final int FIRST_CHUNK = 16;

  /** The chunk the cursor is on (null: off the ends), one of {@code chunks}. */
  private Chunk chunk;
  /**
   * The two chunks the cursor reads into, alternately: a read fills the one it is not on, so a
   * read that throws leaves the cursor where it was; neither's arrays are allocated again.
   */
  private final Chunk[] chunks = new Chunk[2];
  private int index = -1;
  private int forwardLimit = FIRST_CHUNK;
  private int backwardLimit = FIRST_CHUNK;
  private boolean everPositioned;
  /** Whether {@code chunk} was read going forward (its {@code atEnd} is about that direction). */
  private boolean forwardChunk;
  private boolean closed;

  CursorImpl(DatabaseImpl db, TreeImpl tree) {
    this(db, tree, null, null, null);
  }

  /** A cursor over the keys {@code lo <= k < hi} (either null for no bound); the caller's arrays are kept. */
  CursorImpl(DatabaseImpl db, TreeImpl tree, byte[] lo, byte[] hi) {
    this(db, tree, lo, hi, null);
  }

  /** A cursor reading {@code tree} at {@code snapshot} (null: as it is at each step). */
  CursorImpl(DatabaseImpl db, TreeImpl tree, SnapshotImpl snapshot) {
    this(db, tree, null, null, snapshot);
  }

  /**
   * A cursor over the keys {@code lo <= k < hi} (either null for no bound; the caller's arrays are
   * kept) reading at {@code snapshot} (null: the tree as it is at each step).
   */
  CursorImpl(DatabaseImpl db, TreeImpl tree, byte[] lo, byte[] hi, SnapshotImpl snapshot) {
    this.db = db;
    this.tree = tree;
    this.lo = lo;
    this.hi = hi;
    this.snapshot = snapshot;
  }

  private long readMsn() {
    return snapshot == null ? Long.MAX_VALUE : snapshot.msn();
  }

  private Chunk readForward(byte[] from, int limit) {
    Chunk into = spare();
    return db.read(() -> tree.beTree().readForward(from, hi, limit, readMsn(), into));
  }

  private Chunk readBackward(byte[] to) {
    int limit = backwardLimit;
    Chunk into = spare();
    return db.read(() -> tree.beTree().readBackward(to, lo, limit, readMsn(), into));
  }

  /** The chunk the cursor is not on, to read into. */
  private Chunk spare() {
    int i = chunks[0] == chunk ? 1 : 0;
    if (chunks[i] == null) {
      chunks[i] = new Chunk();
    }
    return chunks[i];
  }

  @Override
  public boolean first() {
    forwardLimit = FIRST_CHUNK;
    return forwardFrom(lo);
  }

  @Override
  public boolean last() {
    backwardLimit = FIRST_CHUNK;
    return backwardFrom(hi);
  }

  @Override
  public boolean seek(byte[] key) {
    Limits.checkKey(key);
    forwardLimit = FIRST_CHUNK;
    return forwardFrom(lo != null && Arrays.compareUnsigned(key, lo) < 0 ? lo : key.clone());
  }

  /**
   * Positions at the largest key {@code <= key} inside the bounds; false if there is none (what
   * {@link ReversedCursor#seek} is).
   */
  @Override
  public boolean seekAtMost(byte[] key) {
    Limits.checkKey(key);
    byte[] to = Arrays.copyOf(key, key.length + 1); // the smallest key above key
    backwardLimit = FIRST_CHUNK;
    return backwardFrom(hi != null && Arrays.compareUnsigned(to, hi) > 0 ? hi : to);
  }

  @Override
  public boolean next() {
    if (!onEntryForMove()) {
      return false;
    }
    if (index + 1 < chunk.size()) {
      index++;
      return true;
    }
    if (hi != null && forwardChunk && chunk.atEnd()) {
      return position(null, -1); // the range ends in this chunk: no read past it
    }
    forwardLimit = (int) Math.min(Integer.MAX_VALUE, forwardLimit * 4L);
    return forwardFrom(chunk.keySuccessor(index));
  }

  @Override
  public boolean prev() {
    if (!onEntryForMove()) {
      return false;
    }
    if (index > 0) {
      index--;
      return true;
    }
    if (lo != null && !forwardChunk && chunk.atEnd()) {
      return position(null, -1);
    }
    backwardLimit = (int) Math.min(Integer.MAX_VALUE, backwardLimit * 4L);
    return backwardFrom(chunk.key(index));
  }

  @Override
  public boolean isValid() {
    checkUsable();
    return chunk != null && index >= 0;
  }

  @Override
  public byte[] key() {
    checkPositioned();
    return chunk.key(index); // a copy
  }

  @Override
  public byte[] value() {
    checkPositioned();
    return chunk.value(index);
  }

  /** The current entry (what a {@link ScanImpl} returns). */
  @Override
  public Entry entry() {
    checkPositioned();
    return Entry.of(chunk.key(index), chunk.value(index));
  }

  @Override
  public void close() {
    closed = true;
    chunk = null;
    chunks[0] = null;
    chunks[1] = null;
  }

  private boolean forwardFrom(byte[] from) {
    checkUsable();
    everPositioned = true;
    if (hi != null && from != null && Arrays.compareUnsigned(from, hi) >= 0) {
      db.read(tree::beTree); // nothing to read, but a closed database or dropped tree still fails
      return position(null, -1);
    }
    int limit = forwardLimit;
    Chunk c = readForward(from, limit);
    while (c.size() == 0 && !c.atEnd()) {
      c = readForward(c.next(), limit);
    }
    forwardChunk = true;
    return position(c, 0);
  }

  private boolean backwardFrom(byte[] to) {
    checkUsable();
    everPositioned = true;
    if (lo != null && to != null && Arrays.compareUnsigned(to, lo) <= 0) {
      db.read(tree::beTree);
      return position(null, -1);
    }
    Chunk c = readBackward(to);
    while (c.size() == 0 && !c.atEnd()) {
      c = readBackward(c.next());
    }
    forwardChunk = false;
    return position(c, c.size() - 1);
  }

  private boolean position(Chunk c, int i) {
    if (c == null || c.size() == 0) {
      chunk = null;
      index = -1;
      return false;
    }
    chunk = c;
    index = i;
    return true;
  }

  /** Whether the cursor is on an entry; false if it ran off an end (then moving stays off: false). */
  private boolean onEntryForMove() {
    checkUsable();
    if (!everPositioned) {
      throw new IllegalStateException("cursor was never positioned: call first(), last() or seek()");
    }
    return chunk != null;
  }

  private void checkPositioned() {
    checkUsable();
    if (chunk == null) {
      throw new IllegalStateException("cursor is not on an entry");
    }
  }

  private void checkUsable() {
    if (closed) {
      throw new IllegalStateException("cursor is closed");
    }
    db.checkOpen();
    if (snapshot != null) {
      snapshot.checkOpen();
    }
  }
}
