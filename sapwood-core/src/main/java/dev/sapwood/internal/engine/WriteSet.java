package dev.sapwood.internal.engine;

import dev.sapwood.Limits;
import dev.sapwood.UpdateFunction;
import dev.sapwood.internal.tree.MessageType;
import dev.sapwood.internal.tree.RangeUpdates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A transaction's pending writes, in the order they were made: what commit logs and applies, and
 * what the transaction's own reads apply over its snapshot. Not thread-safe (one transaction, one
 * thread at a time).
 *
 * <p>Invariants: {@link #bytes()} is the sum of {@link Limits.batchOpSize} over the operations
 * and never passes the limit given at construction (an operation that would is refused before
 * anything changes); each tree's point index lists, per key, the positions of its point operations
 * in ascending order, and its range list the positions of its range deletes and range updates in
 * ascending order; {@link #apply} applies both in one merged order, the order they were made.
 */
final class WriteSet {
  /**
   * One pending write, {@code key} and {@code value} as the tree stores them: a DELETE_RANGE's
   * value is its end key, an UPDATE_RANGE's its end and argument ({@link RangeUpdates}). For
   * UPDATE and UPDATE_RANGE, {@code function} and {@code argument}; for both range kinds, {@code
   * end} (null: an UPDATE_RANGE with no end). Unused components are null.
   */
  record Op(TreeImpl tree, byte type, byte[] key, byte[] value, byte[] fnName, UpdateFunction function,
      byte[] end, byte[] argument) {
    /** Whether this range write covers {@code k}. */
    boolean covers(byte[] k) {
      return Arrays.compareUnsigned(key, k) <= 0 && (end == null || Arrays.compareUnsigned(k, end) < 0);
    }
  }

  private final long limit;
  private final List<Op> ops = new ArrayList<>();
  private final Map<TreeImpl, TreeMap<byte[], List<Integer>>> points = new HashMap<>();
  private final Map<TreeImpl, List<Integer>> ranges = new HashMap<>();
  private long bytes;

  WriteSet(long limit) {
    this.limit = limit;
  }

  /** Adds a put or delete (key and value already checked and copied by the caller). */
  void add(TreeImpl tree, byte type, byte[] key, byte[] value) {
    add(new Op(tree, type, key, value, null, null, null, null));
  }

  /** Adds an update of {@code key} (arguments already checked and copied by the caller). */
  void addUpdate(TreeImpl tree, byte[] key, byte[] fnName, UpdateFunction fn, byte[] argument) {
    add(new Op(tree, MessageType.UPDATE, key, argument, fnName, fn, null, argument));
  }

  /** Adds a range delete of non-empty [from, to) (already checked and copied by the caller). */
  void addDeleteRange(TreeImpl tree, byte[] from, byte[] to) {
    add(new Op(tree, MessageType.DELETE_RANGE, from, to, null, null, to, null));
  }

  /**
   * Adds a range update of non-empty [from, to) ({@code to} null: no end), arguments already
   * checked and copied by the caller.
   */
  void addUpdateRange(TreeImpl tree, byte[] from, byte[] to, byte[] fnName, UpdateFunction fn, byte[] argument) {
    add(new Op(tree, MessageType.UPDATE_RANGE, from, RangeUpdates.encode(to, argument), fnName, fn, to, argument));
  }

  private void add(Op op) {
    byte[] key = op.key();
    byte[] fnName = op.fnName();
    long opBytes = Limits.batchOpSize(key.length, op.value().length, fnName == null ? 0 : fnName.length);
    if (bytes + opBytes > limit) {
      throw new IllegalArgumentException("transaction of " + bytes + " bytes cannot take an operation of " + opBytes
          + " bytes: over maxTransactionBytes " + limit + " (split the change into several transactions, or raise"
          + " Options.maxTransactionBytes up to " + Limits.MAX_BATCH_SIZE + ")");
    }
    bytes += opBytes;
    int at = ops.size();
    ops.add(op);
    TreeImpl tree = op.tree();
    if (MessageType.isRange(op.type())) {
      ranges.computeIfAbsent(tree, t -> new ArrayList<>()).add(at);
    } else {
      points.computeIfAbsent(tree, t -> new TreeMap<>(Arrays::compareUnsigned))
          .computeIfAbsent(key, k -> new ArrayList<>(2)).add(at);
    }
  }

  List<Op> ops() {
    return ops;
  }

  boolean isEmpty() {
    return ops.isEmpty();
  }

  long bytes() {
    return bytes;
  }

  /**
   * The value of {@code key} in {@code tree} once this set's writes are applied, in order, over
   * {@code base} (the snapshot's value, null if absent). An update whose function throws or makes
   * a value over the limit is skipped, as the tree skips it.
   */
  byte[] apply(TreeImpl tree, byte[] key, byte[] base) {
    TreeMap<byte[], List<Integer>> p = points.get(tree);
    List<Integer> pts = p == null ? null : p.get(key);
    List<Integer> rgs = ranges.get(tree);
    if (pts == null && rgs == null) {
      return base;
    }
    byte[] v = base;
    int i = 0;
    int r = 0;
    int np = pts == null ? 0 : pts.size();
    int nr = rgs == null ? 0 : rgs.size();
    while (i < np || r < nr) {
      int next;
      if (r >= nr || (i < np && pts.get(i) < rgs.get(r))) {
        next = pts.get(i++);
      } else {
        next = rgs.get(r++);
      }
      v = applyOne(ops.get(next), key, v);
    }
    return v;
  }

  private static byte[] applyOne(Op op, byte[] key, byte[] v) {
    switch (op.type()) {
      case MessageType.PUT:
        return op.value();
      case MessageType.DELETE:
        return null;
      case MessageType.DELETE_RANGE:
        return op.covers(key) ? null : v;
      case MessageType.UPDATE:
        return update(op, key, v);
      case MessageType.UPDATE_RANGE:
        // As the tree applies it: only to a key that exists (the function never sees null).
        return v != null && op.covers(key) ? update(op, key, v) : v;
      default:
        throw new IllegalStateException("message type " + op.type());
    }
  }

  /** {@code op}'s function applied to {@code v}; null deletes; a throw or an over-long result skips it. */
  private static byte[] update(Op op, byte[] key, byte[] v) {
    try {
      byte[] result = op.function().apply(key.clone(), v == null ? null : v.clone(), op.argument().clone());
      return result != null && result.length > Limits.MAX_VALUE_SIZE ? v : result;
    } catch (RuntimeException e) {
      return v; // skipped, as the tree skips it
    }
  }

  /** The smallest key at or above {@code from} (null: the first) that a point write of {@code tree} touches, or null. */
  byte[] ceiling(TreeImpl tree, byte[] from) {
    TreeMap<byte[], List<Integer>> p = points.get(tree);
    if (p == null || p.isEmpty()) {
      return null;
    }
    return from == null ? p.firstKey() : p.ceilingKey(from);
  }

  /** The largest key below {@code to} (null: the last) that a point write of {@code tree} touches, or null. */
  byte[] lower(TreeImpl tree, byte[] to) {
    TreeMap<byte[], List<Integer>> p = points.get(tree);
    if (p == null || p.isEmpty()) {
      return null;
    }
    return to == null ? p.lastKey() : p.lowerKey(to);
  }
}
