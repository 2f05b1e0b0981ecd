package dev.sapwood.internal.engine;

import dev.sapwood.Cursor;
import dev.sapwood.Limits;
import dev.sapwood.internal.tree.Chunk;
import java.util.Arrays;

/**
 * A cursor reading its tree one chunk (one basement's key range, buffered messages applied) at a
 * time; see {@link Cursor} for the consistency it gives. After a seek the first chunk holds at
 * most {@link #FIRST_CHUNK} entries and each following one four times more, so a short scan reads
 * a few entries while a long one soon reads whole basements. Holds no latch between calls, so it
 * never pins a node (or a block that could be freed) while the caller is away.
 */
final class CursorImpl implements Cursor {
  private final DatabaseImpl db;
  private final TreeImpl tree;
  /** The snapshot it reads at, or null: the tree as it is at each step (weakly consistent). */
  private final SnapshotImpl snapshot;
  /** Entries in the first chunk after a seek; each further chunk forward takes four times more. */
  static final int FIRST_CHUNK = 16;

  private Chunk chunk;
  private int index = -1;
  private int forwardLimit = FIRST_CHUNK;
  private boolean everPositioned;
  private boolean closed;

  CursorImpl(DatabaseImpl db, TreeImpl tree) {
    this(db, tree, null);
  }

  /** A cursor reading {@code tree} at {@code snapshot} (null: as it is at each step). */
  CursorImpl(DatabaseImpl db, TreeImpl tree, SnapshotImpl snapshot) {
    this.db = db;
    this.tree = tree;
    this.snapshot = snapshot;
  }

  private Chunk readForward(byte[] from, int limit) {
    return db.read(() -> snapshot == null ? tree.beTree().readForward(from, limit)
        : tree.beTree().readForward(from, limit, snapshot.msn()));
  }

  private Chunk readBackward(byte[] to) {
    return db.read(() -> snapshot == null ? tree.beTree().readBackward(to)
        : tree.beTree().readBackward(to, snapshot.msn()));
  }

  @Override
  public boolean first() {
    forwardLimit = FIRST_CHUNK;
    return forwardFrom(null);
  }

  @Override
  public boolean last() {
    return backwardFrom(null);
  }

  @Override
  public boolean seek(byte[] key) {
    Limits.checkKey(key);
    forwardLimit = FIRST_CHUNK;
    return forwardFrom(key.clone());
  }

  @Override
  public boolean next() {
    byte[] current = currentForMove();
    if (current == null) {
      return false;
    }
    if (index + 1 < chunk.size()) {
      index++;
      return true;
    }
    forwardLimit = (int) Math.min(Integer.MAX_VALUE, forwardLimit * 4L);
    return forwardFrom(Arrays.copyOf(current, current.length + 1));
  }

  @Override
  public boolean prev() {
    byte[] current = currentForMove();
    if (current == null) {
      return false;
    }
    if (index > 0) {
      index--;
      return true;
    }
    return backwardFrom(current);
  }

  @Override
  public boolean isValid() {
    checkUsable();
    return chunk != null && index >= 0;
  }

  @Override
  public byte[] key() {
    checkPositioned();
    return chunk.key(index).clone();
  }

  @Override
  public byte[] value() {
    checkPositioned();
    return chunk.value(index).clone();
  }

  @Override
  public void close() {
    closed = true;
    chunk = null;
  }

  private boolean forwardFrom(byte[] from) {
    checkUsable();
    everPositioned = true;
    int limit = forwardLimit;
    Chunk c = readForward(from, limit);
    while (c.size() == 0 && !c.atEnd()) {
      c = readForward(c.next(), limit);
    }
    return position(c, 0);
  }

  private boolean backwardFrom(byte[] to) {
    checkUsable();
    everPositioned = true;
    Chunk c = readBackward(to);
    while (c.size() == 0 && !c.atEnd()) {
      c = readBackward(c.next());
    }
    return position(c, c.size() - 1);
  }

  private boolean position(Chunk c, int i) {
    if (c.size() == 0) {
      chunk = null;
      index = -1;
      return false;
    }
    chunk = c;
    index = i;
    return true;
  }

  /** The current key, or null if the cursor ran off an end (then moving stays off: false). */
  private byte[] currentForMove() {
    checkUsable();
    if (!everPositioned) {
      throw new IllegalStateException("cursor was never positioned: call first(), last() or seek()");
    }
    return chunk == null ? null : chunk.key(index);
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
