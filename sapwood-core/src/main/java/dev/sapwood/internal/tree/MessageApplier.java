package dev.sapwood.internal.tree;

import dev.sapwood.Limits;
import dev.sapwood.UpdateFunction;
import java.util.Arrays;

/**
 * Applies sorted messages to sorted entries in one merge pass: O(entries + messages), plus the
 * range messages checked per key (a range delete removes the keys it covers; a range update
 * applies its function to those that exist when it reaches them, in MSN order with the rest). Used by flushes into leaves (building new basements), by point
 * queries and by cursor chunks (applying buffered messages on the fly).
 *
 * <p>For each key, the entry's value (if any) is the starting point; then the key's point messages
 * and the range messages covering it are applied in MSN order. Messages whose MSN is not above
 * {@code skipMsn} (the target basement's max MSN) are already applied and skipped. Not
 * thread-safe: one instance per operation or per thread.
 */
final class MessageApplier {
  /** Receives the resulting live entries in ascending key order. */
  interface Sink {
    void emit(byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen);

    /** Whether the sink wants no more entries (the merge then stops early). */
    default boolean full() {
      return false;
    }
  }

  /**
   * Told of each update that could not apply, because its function threw or returned a value over
   * {@link Limits#MAX_VALUE_SIZE} (the update is then skipped).
   */
  interface FailureListener {
    void failed(String function, RuntimeException cause);
  }

  private final FunctionResolver functions;
  private final FailureListener failures;
  private int[] rangeRecs = new int[4];
  private int rangeCount;
  // The current key's value while messages are applied: (valArr, valOff, valLen), or absent.
  private byte[] valArr;
  private int valOff;
  private int valLen;
  private boolean present;
  // Where the old values live snapshots need go (a flush into a leaf while snapshots are open), else null.
  private Versions versions;
  private long[] live;
  private long prevMsn;

  MessageApplier(FunctionResolver functions, FailureListener failures) {
    this.functions = functions;
    this.failures = failures;
  }

  /**
   * Makes the following merges record, in {@code v}, each key's value before every message they
   * apply to it that one of the snapshots {@code live} (ascending, non-empty) needs (see {@link
   * Versions}). Only a flush into a leaf records; reads never do.
   */
  MessageApplier recordingInto(Versions v, long[] live) {
    this.versions = v;
    this.live = live;
    return this;
  }

  /**
   * Merges entries {@code base[eFrom, eTo)} (base may be null when there are none) with point
   * messages {@code msgs.point(mFrom..mTo)} and the range messages of {@code msgs} that overlap
   * [lo, hi), emitting live entries to {@code sink}.
   */
  void apply(Basement base, int eFrom, int eTo, MessageBuffer msgs, int mFrom, int mTo,
      byte[] lo, byte[] hi, long skipMsn, Sink sink) {
    collectRanges(msgs, lo, hi, skipMsn);
    int e = eFrom;
    int m = mFrom;
    while ((e < eTo || m < mTo) && !sink.full()) {
      int c;
      if (e >= eTo) {
        c = 1;
      } else if (m >= mTo) {
        c = -1;
      } else {
        int rec = msgs.point(m);
        c = Keys.compare(base.arena(), base.keyOff(e), base.keyLen(e), msgs.arena(rec), msgs.keyOff(rec), msgs.keyLen(rec));
      }
      if (c < 0) {
        // An entry no point message touches: only range messages can change or remove it.
        byte[] ba = base.arena();
        int cover = coveringRange(msgs, ba, base.keyOff(e), base.keyLen(e));
        if (cover < 0) {
          sink.emit(ba, base.keyOff(e), base.keyLen(e), ba, base.valueOff(e), base.valueLen(e));
        } else {
          valArr = ba;
          valOff = base.valueOff(e);
          valLen = base.valueLen(e);
          present = true;
          prevMsn = 0;
          applyRangesBefore(msgs, 0, Long.MAX_VALUE, ba, base.keyOff(e), base.keyLen(e));
          if (present) {
            sink.emit(ba, base.keyOff(e), base.keyLen(e), valArr, valOff, valLen);
          }
        }
        e++;
        continue;
      }
      int first = msgs.point(m);
      if (c == 0) {
        valArr = base.arena();
        valOff = base.valueOff(e);
        valLen = base.valueLen(e);
        present = true;
        e++;
      } else {
        present = false;
      }
      byte[] ma = msgs.arena(first);
      int kOff = msgs.keyOff(first);
      int kLen = msgs.keyLen(first);
      int end = m + 1;
      while (end < mTo && sameKey(msgs, msgs.point(end), ma, kOff, kLen)) {
        end++;
      }
      applyKey(msgs, m, end, ma, kOff, kLen, skipMsn);
      m = end;
      if (present) {
        sink.emit(ma, kOff, kLen, valArr, valOff, valLen);
      }
    }
  }

  private static boolean sameKey(MessageBuffer msgs, int rec, byte[] k, int kOff, int kLen) {
    return Keys.compare(msgs.arena(rec), msgs.keyOff(rec), msgs.keyLen(rec), k, kOff, kLen) == 0;
  }

  private void collectRanges(MessageBuffer msgs, byte[] lo, byte[] hi, long skipMsn) {
    rangeCount = 0;
    for (int i = 0; i < msgs.rangeCount(); i++) {
      int rec = msgs.range(i);
      if (msgs.msn(rec) > skipMsn && msgs.rangeOverlaps(rec, lo, hi)) {
        if (rangeCount == rangeRecs.length) {
          rangeRecs = Arrays.copyOf(rangeRecs, rangeCount * 2);
        }
        rangeRecs[rangeCount++] = rec;
      }
    }
  }

  /** The oldest collected range message covering the key, or -1. */
  private int coveringRange(MessageBuffer msgs, byte[] k, int kOff, int kLen) {
    for (int i = 0; i < rangeCount; i++) {
      if (msgs.rangeCovers(rangeRecs[i], k, kOff, kLen)) {
        return rangeRecs[i];
      }
    }
    return -1;
  }

  /**
   * Keeps the key's current value (or its absence) as its version before message {@code msn}, if
   * a live snapshot lies between the key's previous message and {@code msn}.
   */
  private void record(byte[] k, int kOff, int kLen, long msn) {
    long prev = prevMsn;
    prevMsn = msn;
    if (!SnapshotRegistry.anyIn(live, prev, msn)) {
      return;
    }
    byte[] value = present ? Arrays.copyOfRange(valArr, valOff, valOff + valLen) : null;
    versions.record(Arrays.copyOfRange(k, kOff, kOff + kLen), value, msn, prev, live);
  }

  /** Applies point messages [from, to) of one key, interleaved by MSN with covering range messages. */
  private void applyKey(MessageBuffer msgs, int from, int to, byte[] k, int kOff, int kLen, long skipMsn) {
    int r = 0;
    prevMsn = 0;
    for (int i = from; i < to; i++) {
      int rec = msgs.point(i);
      long msn = msgs.msn(rec);
      if (msn <= skipMsn) {
        continue;
      }
      r = applyRangesBefore(msgs, r, msn, k, kOff, kLen);
      if (versions != null) {
        record(k, kOff, kLen, msn);
      }
      applyPoint(msgs, rec, k, kOff, kLen);
    }
    applyRangesBefore(msgs, r, Long.MAX_VALUE, k, kOff, kLen);
  }

  private int applyRangesBefore(MessageBuffer msgs, int r, long msn, byte[] k, int kOff, int kLen) {
    while (r < rangeCount && msgs.msn(rangeRecs[r]) < msn) {
      int rec = rangeRecs[r];
      if (msgs.rangeCovers(rec, k, kOff, kLen)) {
        if (versions != null) {
          record(k, kOff, kLen, msgs.msn(rec));
        }
        if (msgs.type(rec) == MessageType.DELETE_RANGE) {
          present = false;
        } else if (present) {
          // A range update changes only the keys that exist when it reaches them.
          update(msgs.functionName(rec), k, kOff, kLen, msgs.copyRangeArgument(rec));
        }
      }
      r++;
    }
    return r;
  }

  private void applyPoint(MessageBuffer msgs, int rec, byte[] k, int kOff, int kLen) {
    switch (msgs.type(rec)) {
      case MessageType.PUT -> {
        valArr = msgs.arena(rec);
        valOff = msgs.valueOff(rec);
        valLen = msgs.valueLen(rec);
        present = true;
      }
      case MessageType.DELETE -> present = false;
      case MessageType.UPDATE -> update(msgs.functionName(rec), k, kOff, kLen, msgs.copyValue(rec));
      default -> throw new IllegalStateException("message type " + msgs.type(rec) + " in point list");
    }
  }

  /** Applies the named function to the current value (absent: null) with {@code argument}. */
  private void update(String fnName, byte[] k, int kOff, int kLen, byte[] argument) {
    UpdateFunction fn = functions.resolve(fnName);
    byte[] key = Arrays.copyOfRange(k, kOff, kOff + kLen);
    byte[] old = present ? Arrays.copyOfRange(valArr, valOff, valOff + valLen) : null;
    byte[] result = run(fn, key, old, argument, failures);
    if (result == SKIPPED) {
      return;
    }
    if (result == null) {
      present = false;
    } else {
      valArr = result;
      valOff = 0;
      valLen = result.length;
      present = true;
    }
  }

  /** What {@link #run} returns for an update that is skipped (compared by identity). */
  static final byte[] SKIPPED = new byte[0];

  /**
   * Runs one update the one way every place that applies it does (a flush, a read, a {@link
   * Combiner}): the new value, null if the function deleted the key, or {@link #SKIPPED} if the
   * function threw or made a value over {@link Limits#MAX_VALUE_SIZE} (told to {@code failures};
   * the value then stays as it was).
   */
  static byte[] run(UpdateFunction fn, byte[] key, byte[] old, byte[] argument, FailureListener failures) {
    byte[] result;
    try {
      result = fn.apply(key, old, argument);
    } catch (RuntimeException ex) {
      // The update cannot apply to this value: it is dropped and the value stays as it was.
      // Propagating would wedge every later flush of this buffer on the same message.
      failures.failed(fn.name(), ex);
      return SKIPPED;
    }
    if (result != null && result.length > Limits.MAX_VALUE_SIZE) {
      // A result past the value limit is refused the same way wherever it is computed (flush,
      // read, replay): the update is skipped and the value stays as it was.
      failures.failed(fn.name(), new IllegalArgumentException("update " + fn.name() + " made a value of "
          + result.length + " bytes, over the limit of " + Limits.MAX_VALUE_SIZE));
      return SKIPPED;
    }
    return result;
  }
}
