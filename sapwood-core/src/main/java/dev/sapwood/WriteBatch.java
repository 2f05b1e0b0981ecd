package dev.sapwood;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A group of changes applied atomically by {@link Database#write}: readers see all of them or none,
 * and a checkpoint contains all of them or none. Operations on one key apply in the order they were
 * added. A batch may touch several trees of one database. Not thread-safe; reusable after
 * {@link #clear()}. The batch keeps references to the arrays it is given: do not change them until
 * the batch has been written.
 *
 * <p>A batch holds at most {@link Limits#MAX_BATCH_SIZE} bytes ({@link #byteSize()}): adding the
 * operation that would pass it throws {@link IllegalArgumentException} and leaves the batch as it
 * was. Split larger changes into several batches (each is atomic on its own).
 */
public final class WriteBatch {
  /** Receives a batch's operations in order; see {@link #forEach}. */
  public interface Handler {
    void put(Tree tree, byte[] key, byte[] value);

    void delete(Tree tree, byte[] key);

    void update(Tree tree, byte[] key, UpdateFunction fn, byte[] argument);

    /**
     * A range update ({@link WriteBatch#updateRange}, {@link WriteBatch#updateAll}): {@code
     * toExclusive} is null for no end. The default refuses it, for handlers written before range
     * updates existed.
     *
     * @throws UnsupportedOperationException unless overridden
     */
    default void updateRange(Tree tree, byte[] fromInclusive, byte[] toExclusive, UpdateFunction fn, byte[] argument) {
      throw new UnsupportedOperationException("this handler does not take range updates");
    }
  }

  private static final int PUT = 0;
  private static final int DELETE = 1;
  private static final int UPDATE = 2;
  private static final int UPDATE_RANGE = 3;

  private record Op(int kind, Tree tree, byte[] key, byte[] value, UpdateFunction fn, byte[] end) {
    Op(int kind, Tree tree, byte[] key, byte[] value, UpdateFunction fn) {
      this(kind, tree, key, value, fn, null);
    }
  }

  private final List<Op> ops = new ArrayList<>();
  private long bytes;

  public WriteBatch() {}

  /** Adds a put; argument checks as for {@link Tree#put}. */
  public WriteBatch put(Tree tree, byte[] key, byte[] value) {
    Limits.checkKey(key);
    Limits.checkValue(value);
    Objects.requireNonNull(tree, "tree");
    reserve(Limits.batchOpSize(key.length, value.length, 0));
    ops.add(new Op(PUT, tree, key, value, null));
    return this;
  }

  /** Adds a delete; argument checks as for {@link Tree#delete}. */
  public WriteBatch delete(Tree tree, byte[] key) {
    Limits.checkKey(key);
    Objects.requireNonNull(tree, "tree");
    reserve(Limits.batchOpSize(key.length, 0, 0));
    ops.add(new Op(DELETE, tree, key, null, null));
    return this;
  }

  /** Adds an update; argument checks as for {@link Tree#update}. */
  public WriteBatch update(Tree tree, byte[] key, UpdateFunction fn, byte[] argument) {
    Limits.checkKey(key);
    Limits.checkValue(argument);
    Objects.requireNonNull(fn, "update function");
    fn.checkArgument(argument);
    Objects.requireNonNull(tree, "tree");
    reserve(Limits.batchOpSize(key.length, argument.length, fn.name().getBytes(StandardCharsets.UTF_8).length));
    ops.add(new Op(UPDATE, tree, key, argument, fn));
    return this;
  }

  /**
   * Adds a range update of [{@code fromInclusive}, {@code toExclusive}); argument checks as for
   * {@link Tree#updateRange}. An empty or inverted range is added and changes nothing.
   */
  public WriteBatch updateRange(Tree tree, byte[] fromInclusive, byte[] toExclusive, UpdateFunction fn, byte[] argument) {
    Limits.checkKey(fromInclusive);
    Limits.checkKey(toExclusive);
    return rangeUpdate(tree, fromInclusive, toExclusive, fn, argument);
  }

  /** Adds a range update of the whole key space; argument checks as for {@link Tree#updateAll}. */
  public WriteBatch updateAll(Tree tree, UpdateFunction fn, byte[] argument) {
    return rangeUpdate(tree, new byte[0], null, fn, argument);
  }

  private WriteBatch rangeUpdate(Tree tree, byte[] from, byte[] to, UpdateFunction fn, byte[] argument) {
    Limits.checkValue(argument);
    Objects.requireNonNull(fn, "update function");
    fn.checkArgument(argument);
    Objects.requireNonNull(tree, "tree");
    // Counted as stored: the value slot holds a flag, the end (with its length) and the argument.
    int endBytes = to == null ? 0 : 4 + to.length;
    reserve(Limits.batchOpSize(from.length, 1 + endBytes + argument.length, fn.name().getBytes(StandardCharsets.UTF_8).length));
    ops.add(new Op(UPDATE_RANGE, tree, from, argument, fn, to));
    return this;
  }

  /** Number of operations. */
  public int size() {
    return ops.size();
  }

  /** Bytes counted against {@link Limits#MAX_BATCH_SIZE} (see {@link Limits#batchOpSize}). */
  public long byteSize() {
    return bytes;
  }

  /** Removes all operations. */
  public void clear() {
    ops.clear();
    bytes = 0;
  }

  private void reserve(long opBytes) {
    if (bytes + opBytes > Limits.MAX_BATCH_SIZE) {
      throw new IllegalArgumentException("batch of " + bytes + " bytes cannot take an operation of " + opBytes
          + " bytes: a batch holds at most " + Limits.MAX_BATCH_SIZE + " bytes (Limits.MAX_BATCH_SIZE)");
    }
    bytes += opBytes;
  }

  /** Calls {@code h} once per operation, in the order they were added. */
  public void forEach(Handler h) {
    for (Op op : ops) {
      switch (op.kind) {
        case PUT -> h.put(op.tree, op.key, op.value);
        case DELETE -> h.delete(op.tree, op.key);
        case UPDATE_RANGE -> h.updateRange(op.tree, op.key, op.end, op.fn, op.value);
        default -> h.update(op.tree, op.key, op.fn, op.value);
      }
    }
  }
}
