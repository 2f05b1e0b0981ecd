package dev.sapwood.internal.engine;

import dev.sapwood.internal.tree.MessageType;
import dev.sapwood.internal.tree.TreeContext;
import dev.sapwood.internal.wal.LogWriter;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Gives every change its place in the database's one order: a change's log record takes its LSN,
 * and its messages take their MSNs, in one critical section. So, for single changes and batches
 * alike, log order is MSN order, and replaying the log rebuilds what was acknowledged.
 *
 * <p>The protocol every change follows ({@link WritePath}):
 * <ol>
 *   <li>enter the gate: the shared side, or the exclusive side for a batch too large to sit in
 *       its roots' buffers at once (it is flushed between its messages);</li>
 *   <li>write-latch the root of each tree it changes, in ascending tree id (one {@code
 *       BeTree#latchRoot} per tree), unless it holds the gate exclusively;</li>
 *   <li>{@link #sequence}: validate a transaction (its conflict check may refuse it, before
 *       anything is logged), append the log record, take consecutive MSNs, insert each message
 *       into its root with its MSN, publish {@link #visibleMsn}, note each change for later
 *       validations ({@link Conflicts});</li>
 *   <li>let the roots go; a gorged root is flushed by its writer or handed to the background.</li>
 * </ol>
 *
 * <p>Invariants: MSNs are taken only inside {@link #sequence} (or by log replay, which runs
 * before any writer); every message with an MSN at or below {@link #visibleMsn} is in its tree;
 * a reader holding a root's read latch sees all or none of a change's messages to that tree;
 * validation and the noting of changes happen in the same critical section, so a validation sees
 * every change sequenced before it, and a change is noted after its MSN is visible (which
 * {@link Conflicts} relies on for SERIALIZABLE transactions beginning meanwhile); a change is
 * noted only if {@link Conflicts#anyLive()}, read after {@link #visibleMsn} is published: a
 * transaction counts itself in before it reads {@link #visibleMsn} for its snapshot, so a change
 * skipped while none is live lies at or below every later snapshot ({@link Conflicts} gives the
 * Dekker-style argument). With no transaction open, noting costs one volatile read. While a batch
 * goes in exclusively (its messages are flushed into leaves before its MSNs are visible), the
 * MSN before it is registered as a live snapshot, so a snapshot opened meanwhile — snapshots take
 * no lock of the gate — finds every value the batch overwrote kept for it.
 */
final class Sequencer {
  private final ReentrantLock lock = new ReentrantLock();
  private final LogWriter log;
  private final TreeContext ctx;
  private final Conflicts conflicts;
  /** Every change whose MSNs are at or below this is wholly in the trees. */
  private volatile long visibleMsn;
  /** For tests only ({@link TestSeams#onExclusiveBatchStep}): run after each message of an exclusive batch. */
  private volatile Runnable exclusiveStep;

  Sequencer(LogWriter log, TreeContext ctx, Conflicts conflicts) {
    this.log = log;
    this.ctx = ctx;
    this.conflicts = conflicts;
    this.visibleMsn = ctx.lastMsn(); // after replay: everything replayed is in the trees
  }

  /** The highest MSN at or below which every change is wholly in the trees. */
  long visibleMsn() {
    return visibleMsn;
  }

  /**
   * Logs one change ({@code record}, or nothing if null) and inserts its messages in order, each
   * with the next MSN. Returns the record's LSN, or -1 if nothing was logged.
   *
   * <p>REQUIRES: the caller has latched the root of every tree in {@code ops} (ascending tree id)
   * and holds the gate's shared side.
   */
  long sequence(byte[] record, List<WritePath.Op> ops, Runnable validate) {
    lock.lock();
    try {
      long lsn = validateAndLog(record, record == null ? 0 : record.length, validate);
      long msn = 0;
      for (int i = 0; i < ops.size(); i++) {
        WritePath.Op op = ops.get(i);
        msn = ctx.nextMsn();
        op.tree().beTree().insertLatched(op.type(), op.key(), op.value(), op.fn(), msn);
      }
      if (msn > 0) {
        visibleMsn = msn;
        noteAll(ops, msn);
      }
      return lsn;
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@link #sequence} for one message, without a list; its record is {@code record[0..recordLen)}
   * (the writer's scratch array: the log copies it). Same requirements.
   */
  long sequence(byte[] record, int recordLen, TreeImpl t, byte type, byte[] key, byte[] value, byte[] fn) {
    lock.lock();
    try {
      long lsn = validateAndLog(record, recordLen, null);
      long msn = ctx.nextMsn();
      t.beTree().insertLatched(type, key, value, fn, msn);
      visibleMsn = msn;
      if (conflicts.anyLive()) { // after publishing visibleMsn: see the invariants
        note(t.id(), type, key, value, msn);
      }
      return lsn;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Logs a batch too large for its roots' buffers and inserts it message by message, flushing
   * between messages as any writer would. Returns the record's LSN, or -1 if nothing was logged.
   *
   * <p>REQUIRES: the caller holds the gate's exclusive side, so no other change takes an MSN until
   * this one is in; no root latched.
   */
  long sequenceExclusive(byte[] record, List<WritePath.Op> ops, Runnable validate) {
    lock.lock();
    boolean holding = false;
    long held = 0;
    try {
      long lsn = validateAndLog(record, record == null ? 0 : record.length, validate);
      // Snapshots open without the gate: one opened while this batch goes in is at the MSN before
      // it. That MSN is held as a live snapshot until the batch's MSNs are visible, so the flushes
      // between its messages keep every value they overwrite for such a snapshot (Versions).
      held = ctx.snapshots.open(() -> visibleMsn);
      holding = true;
      long msn = 0;
      for (WritePath.Op op : ops) {
        var tree = op.tree().beTree();
        tree.latchRoot();
        try {
          msn = ctx.nextMsn();
          tree.insertLatched(op.type(), op.key(), op.value(), op.fn(), msn);
        } catch (RuntimeException | Error e) {
          tree.abandonLatch();
          throw e;
        }
        tree.unlatchRoot();
        Runnable step = exclusiveStep;
        if (step != null) {
          step.run();
        }
      }
      if (msn > 0) {
        visibleMsn = msn;
        noteAll(ops, msn);
      }
      return lsn;
    } finally {
      if (holding) {
        ctx.snapshots.close(held);
      }
      lock.unlock();
    }
  }

  /** Sets the test hook run after each message of an exclusive batch (null: none). */
  void onExclusiveStep(Runnable step) {
    exclusiveStep = step;
  }

  /**
   * Runs {@code validate} (a read-only transaction's conflict check) in the critical section, so
   * it sees every change sequenced before it and none half noted.
   */
  void validate(Runnable validate) {
    lock.lock();
    try {
      validate.run();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Notes the changes of {@code ops}, whose last took MSN {@code lastMsn} (consecutive MSNs), if a
   * transaction is live; called after publishing {@link #visibleMsn} (see the invariants).
   */
  private void noteAll(List<WritePath.Op> ops, long lastMsn) {
    if (!conflicts.anyLive()) {
      return;
    }
    long msn = lastMsn - ops.size();
    for (WritePath.Op op : ops) {
      note(op.tree().id(), op.type(), op.key(), op.value(), ++msn);
    }
  }

  private void note(int tree, byte type, byte[] key, byte[] value, long msn) {
    if (MessageType.isRange(type)) { // a range delete or range update: a write to every key of its range
      conflicts.noteRange(tree, type, key, value, msn, ctx.snapshots);
    } else {
      conflicts.note(tree, key, msn);
    }
  }

  /**
   * The first step of every sequencing: the transaction's validation, if any (it may throw a
   * {@code ConflictException}: nothing is logged or inserted yet), then the record's append.
   * Returns the record's LSN, or -1 if nothing was logged. REQUIRES: {@link #lock} held.
   */
  private long validateAndLog(byte[] record, int recordLen, Runnable validate) {
    if (validate != null) {
      validate.run();
    }
    return record == null ? -1 : log.append(record, 0, recordLen);
  }
}
