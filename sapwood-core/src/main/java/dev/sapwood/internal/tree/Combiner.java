package dev.sapwood.internal.tree;

import dev.sapwood.Limits;
import dev.sapwood.UpdateFunction;
import dev.sapwood.internal.util.BigEndian;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Folds two buffered point messages of one key into one (TokuFT applies a key's messages only in
 * its flusher and its reads; this is the partial merge RocksDB's merge operator does in its
 * memtable): a key updated blindly again and again then holds one or two messages per buffer, and
 * a read of it applies a handful of messages instead of one per update.
 *
 * <p>The rules, for an older message {@code a} and a newer {@code b} of the same key, adjacent in
 * a buffer's point list. The result is one message with {@code b}'s MSN.
 * <ul>
 *   <li>{@code b} is a PUT or a DELETE: it decides the key whatever came before; {@code a} is
 *       dropped.</li>
 *   <li>{@code b} is an UPDATE and {@code a} a PUT or a DELETE: the value before {@code b} is
 *       known, so {@code b}'s function is applied now (as a flush into a leaf would: a function
 *       that throws or makes a value over the limit is skipped, {@link MessageApplier#run}); the
 *       result is a PUT, or a DELETE if the function deleted the key. Valid for every function.</li>
 *   <li>both are UPDATEs of one function that combines the two arguments ({@link
 *       UpdateFunction#combine}): one UPDATE with the combined argument. ADD_LONG of two 8-byte
 *       arguments is added in place, allocating nothing.</li>
 * </ul>
 * An UPDATE is folded only if no range message of the buffer lies between the two (a range
 * delete or a range update there would have met the key between them).
 *
 * <p>Snapshots: a snapshot at {@code s} with {@code a}'s MSN at or below {@code s} and {@code
 * b}'s above it would need the value between the two, which the fold loses; so a fold happens
 * only if {@link SnapshotRegistry#mayCombine} says no such snapshot is open or can still open.
 *
 * <p>Log replay is unaffected: a fold changes one node under its write latch, in the same change
 * that adds or flushes the newer message, so a checkpoint's image of the node holds both messages
 * or their fold, never half; and the log is replayed by LSN onto that image, with fresh MSNs.
 *
 * <p>Invariants: a fold never changes what any read — now or at a live or future snapshot — returns
 * for any key; the surviving record keeps the key and lies where {@code a} lay in MSN order (its
 * MSN is {@code b}'s, below every newer message of the key). Thread-safe (its one mutable field is
 * an immutable cache entry published through a volatile).
 */
final class Combiner {
  private static final byte[] EMPTY = new byte[0];
  /**
   * The built-in ADD_LONG's name: a name users cannot register and providers cannot take, so an
   * UPDATE naming it is ADD_LONG's, whose fold this class does in place ({@link #addLongs}).
   */
  private static final byte[] ADD_LONG = "sapwood.add_long".getBytes(StandardCharsets.UTF_8);

  /** The function last resolved, by its name's bytes (most buffers see one or two functions). */
  private record Resolved(byte[] name, UpdateFunction fn) {}

  private final FunctionResolver functions;
  private final MessageApplier.FailureListener failures;
  private final SnapshotRegistry snapshots;
  private final LongAdder combined;
  private volatile Resolved last;

  Combiner(FunctionResolver functions, MessageApplier.FailureListener failures, SnapshotRegistry snapshots,
      LongAdder combined) {
    this.functions = functions;
    this.failures = failures;
    this.snapshots = snapshots;
    this.combined = combined;
  }

  /**
   * Folds point records {@code a} (older) and {@code b} (newer) of {@code buf}, of the same key,
   * into one if the rules allow. Returns the surviving record (the caller puts it where {@code a}
   * was in the point list and drops the other entry), or -1 having changed nothing. Records no
   * longer in any list are marked dead in the arena.
   */
  int combine(MessageBuffer buf, int a, int b) {
    long ma = buf.msn(a);
    long mb = buf.msn(b);
    byte tb = buf.type(b);
    if (tb == MessageType.PUT || tb == MessageType.DELETE) {
      if (!snapshots.mayCombine(ma, mb)) {
        return -1;
      }
      buf.markDead(a);
      combined.increment();
      return b;
    }
    if (tb != MessageType.UPDATE || rangeBetween(buf, a, ma, mb)) {
      return -1;
    }
    byte ta = buf.type(a);
    if (ta == MessageType.UPDATE && !sameFunction(buf, a, b)) {
      return -1;
    }
    if (ta != MessageType.DELETE && buf.valueLen(a) == 8 && buf.valueLen(b) == 8 && names(buf, b, ADD_LONG)) {
      if (!snapshots.mayCombine(ma, mb)) {
        return -1;
      }
      addLongs(buf, a, b); // PUT + ADD_LONG, or ADD_LONG + ADD_LONG: one 8-byte sum in a's place
      buf.setMsn(a, mb);
      buf.markDead(b);
      combined.increment();
      return a;
    }
    UpdateFunction fn = resolve(buf, b);
    if (fn == null || !snapshots.mayCombine(ma, mb)) {
      return -1;
    }
    int r;
    if (ta == MessageType.UPDATE) {
      r = foldUpdates(buf, fn, a, b, mb);
    } else {
      r = applyToKnown(buf, fn, a, b, mb);
    }
    if (r >= 0) {
      combined.increment();
    }
    return r;
  }

  /** Whether a range message of {@code buf} with an MSN between {@code ma} and {@code mb} covers a's key. */
  private static boolean rangeBetween(MessageBuffer buf, int a, long ma, long mb) {
    for (int i = buf.rangeCount() - 1; i >= 0; i--) {
      int rec = buf.range(i);
      long m = buf.msn(rec);
      if (m < ma) {
        return false; // ranges are in MSN order
      }
      if (m < mb && buf.rangeCovers(rec, buf.arena(a), buf.keyOff(a), buf.keyLen(a))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Replaces a's 8-byte value with its sum with b's, both longs in {@code Codec.LONG}'s encoding
   * (big-endian, sign bit flipped), wrapping: what ADD_LONG's {@code apply} (a is a PUT) and {@code
   * combine} (a is an ADD_LONG) give for 8-byte values, without allocating.
   */
  private static void addLongs(MessageBuffer buf, int a, int b) {
    long x = BigEndian.getLong(buf.arena(a), buf.valueOff(a)) ^ Long.MIN_VALUE;
    long y = BigEndian.getLong(buf.arena(b), buf.valueOff(b)) ^ Long.MIN_VALUE;
    BigEndian.putLong(buf.arena(a), buf.valueOff(a), (x + y) ^ Long.MIN_VALUE);
  }

  /** Two UPDATEs of {@code fn}: one UPDATE with {@link UpdateFunction#combine}'s argument, or -1. */
  private int foldUpdates(MessageBuffer buf, UpdateFunction fn, int a, int b, long mb) {
    byte[] key = buf.copyKey(a);
    byte[] z;
    try {
      z = fn.combine(key, buf.copyValue(a), buf.copyValue(b));
      if (z == null || z.length > Limits.MAX_VALUE_SIZE) {
        return -1;
      }
      fn.checkArgument(z);
    } catch (RuntimeException notCombinable) {
      return -1; // a combine that fails leaves both messages as they were
    }
    return replace(buf, a, b, MessageType.UPDATE, mb, key, z, functionName(buf, b));
  }

  /** An UPDATE after a PUT or DELETE: the value before it is known, so it is applied now. */
  private int applyToKnown(MessageBuffer buf, UpdateFunction fn, int a, int b, long mb) {
    byte[] key = buf.copyKey(a);
    byte[] old = buf.type(a) == MessageType.PUT ? buf.copyValue(a) : null;
    byte[] result = MessageApplier.run(fn, key, old, buf.copyValue(b), failures);
    if (result == MessageApplier.SKIPPED) {
      buf.setMsn(a, mb); // the update is skipped where it applies: the key stays as a says
      buf.markDead(b);
      return a;
    }
    if (result == null) {
      return replace(buf, a, b, MessageType.DELETE, mb, key, EMPTY, null);
    }
    return replace(buf, a, b, MessageType.PUT, mb, key, result, null);
  }

  /**
   * Puts the message (type, mb, key, value, fn) in place of a and b: written over a (or b) when it
   * is a's (b's) type and size, else appended; the records left over are marked dead.
   */
  private static int replace(MessageBuffer buf, int a, int b, byte type, long mb, byte[] key, byte[] value, byte[] fn) {
    for (int rec : new int[] {a, b}) {
      if (buf.type(rec) == type && buf.valueLen(rec) == value.length) {
        System.arraycopy(value, 0, buf.arena(rec), buf.valueOff(rec), value.length);
        buf.setMsn(rec, mb);
        buf.markDead(rec == a ? b : a);
        return rec;
      }
    }
    buf.markDead(b); // b first: if it ends the arena it is cut off, and then perhaps a too
    buf.markDead(a);
    return buf.writeRecord(type, mb, key, 0, key.length, value, 0, value.length, fn);
  }

  /** Whether a and b (both UPDATE) name the same function. */
  private static boolean sameFunction(MessageBuffer buf, int a, int b) {
    byte[] aa = buf.arena(a);
    byte[] ab = buf.arena(b);
    int fa = buf.valueOff(a) + buf.valueLen(a);
    int fb = buf.valueOff(b) + buf.valueLen(b);
    int len = aa[fa] & 0xFF;
    return len == (ab[fb] & 0xFF) && Arrays.equals(aa, fa + 1, fa + 1 + len, ab, fb + 1, fb + 1 + len);
  }

  /** Whether UPDATE record {@code rec} names the function {@code name}. */
  private static boolean names(MessageBuffer buf, int rec, byte[] name) {
    byte[] arena = buf.arena(rec);
    int f = buf.valueOff(rec) + buf.valueLen(rec);
    return (arena[f] & 0xFF) == name.length && Arrays.equals(arena, f + 1, f + 1 + name.length, name, 0, name.length);
  }

  private static byte[] functionName(MessageBuffer buf, int rec) {
    int f = buf.valueOff(rec) + buf.valueLen(rec);
    return Arrays.copyOfRange(buf.arena(rec), f + 1, f + 1 + (buf.arena(rec)[f] & 0xFF));
  }

  /** The function UPDATE record {@code rec} names, or null if it cannot be resolved now (no fold then). */
  private UpdateFunction resolve(MessageBuffer buf, int rec) {
    Resolved r = last;
    if (r != null && names(buf, rec, r.name)) {
      return r.fn;
    }
    try {
      UpdateFunction fn = functions.resolve(buf.functionName(rec));
      last = new Resolved(functionName(buf, rec), fn);
      return fn;
    } catch (RuntimeException unknown) {
      return null; // a read or a flush reports it where the message applies
    }
  }
}
