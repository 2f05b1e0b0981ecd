package dev.sapwood.internal.engine;

import dev.sapwood.Cursor;
import dev.sapwood.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;

/**
 * The reader threads of a {@link ConcurrentModelRun} and what they check. A read of key {@code i}
 * that began after the writers' {@code committed[i]} was {@code lo} and ended before their {@code
 * issued[i]} was {@code hi} must return a value some change {@code lo <= v <= hi} wrote — checksum
 * and key right ({@link VersionedValues#valid}), not a delete's version, and equal byte for byte to
 * the writer's value when that version is the one the reader also found in {@code expected} — or
 * nothing, if some version in the window is a delete (or 0). A cursor is checked the same way over
 * every key of the range it covered: keys strictly in its order, none seen that the window rules
 * out, none missing that the window says is there. A snapshot's window is taken around its
 * creation, and everything read through it must repeat: a second get of a key, and a backward scan
 * of the range a forward scan read.
 */
final class ModelReaders {
  private final ConcurrentModelRun run;
  private final LongAdder checks = new LongAdder();

  ModelReaders(ConcurrentModelRun run) {
    this.run = run;
  }

  /** Reads checked so far (gets and entries of scans). */
  long checks() {
    return checks.sum();
  }

  /** The index of a key made by {@link ConcurrentModelRun#key}. */
  static int index(byte[] key) {
    return Integer.parseInt(new String(key, 1, 6));
  }

  /** Gets (with the writers' exact values where they match) and forward scans of up to 40 entries. */
  void gets(Random rnd) {
    while (!run.done.get()) {
      int i = run.pick(rnd);
      if (rnd.nextInt(5) > 0) {
        long lo = run.committed.get(i);
        byte[] got = run.tree.get(ConcurrentModelRun.key(i));
        byte[] exp = run.expected.get(i);
        checkRead("get", i, lo, run.issued.get(i), got, exp);
      } else {
        long[] lo = copy(false);
        List<byte[][]> seen = new ArrayList<>();
        try (Cursor c = run.tree.cursor()) {
          for (boolean ok = c.seek(ConcurrentModelRun.key(i)); ok && seen.size() < 40; ok = c.next()) {
            seen.add(new byte[][] {c.key(), c.value()});
          }
        }
        checkScan("forward scan", true, i, 40, seen, lo, copy(true));
      }
    }
  }

  /** Backward scans of up to 40 entries, and snapshots read by get and by both cursors. */
  void snapshotsAndBackward(Random rnd) {
    while (!run.done.get()) {
      int i = run.pick(rnd);
      if (rnd.nextBoolean()) {
        long[] lo = copy(false);
        List<byte[][]> seen = new ArrayList<>();
        int start;
        try (Cursor c = run.tree.cursor()) {
          // Where the scan starts: below the key the seek found (or the end, if none), since keys
          // may come and go between the seek and the first step back.
          boolean ok = c.seek(ConcurrentModelRun.key(i));
          start = ok ? index(c.key()) - 1 : run.keys - 1;
          for (ok = ok ? c.prev() : c.last(); ok && seen.size() < 40; ok = c.prev()) {
            seen.add(new byte[][] {c.key(), c.value()});
          }
        }
        checkScan("backward scan", false, start, 40, seen, lo, copy(true));
      } else {
        snapshotRound(rnd, i);
      }
    }
  }

  private void snapshotRound(Random rnd, int from) {
    long[] lo = copy(false);
    try (Snapshot s = run.db.snapshot()) {
      long[] hi = copy(true);
      Map<Integer, byte[]> first = new HashMap<>();
      for (int r = 0; r < 30; r++) {
        int i = run.pick(rnd);
        byte[] got = s.get(run.tree, ConcurrentModelRun.key(i));
        checkRead("snapshot get", i, lo[i], hi[i], got, null);
        if (first.containsKey(i) && !Arrays.equals(first.get(i), got)) {
          fail("snapshot get of key " + i + " changed: " + ConcurrentModelRun.describe(first.get(i)) + " then "
              + ConcurrentModelRun.describe(got));
        }
        first.put(i, got);
      }
      List<byte[][]> forward = new ArrayList<>();
      try (Cursor c = s.cursor(run.tree)) {
        for (boolean ok = c.seek(ConcurrentModelRun.key(from)); ok && forward.size() < 60; ok = c.next()) {
          forward.add(new byte[][] {c.key(), c.value()});
        }
      }
      checkScan("snapshot forward scan", true, from, 60, forward, lo, hi);
      if (forward.isEmpty()) {
        return;
      }
      List<byte[][]> backward = new ArrayList<>();
      try (Cursor c = s.cursor(run.tree)) {
        byte[] last = forward.get(forward.size() - 1)[0];
        for (boolean ok = c.seek(last); ok && backward.size() < forward.size(); ok = c.prev()) {
          backward.add(new byte[][] {c.key(), c.value()});
        }
      }
      for (int j = 0; j < forward.size(); j++) {
        byte[][] f = forward.get(j);
        byte[][] b = j < backward.size() ? backward.get(backward.size() - 1 - j) : null;
        if (b == null || !Arrays.equals(f[0], b[0]) || !Arrays.equals(f[1], b[1])) {
          fail("a snapshot's backward scan differs from its forward scan at key " + index(f[0]));
        }
      }
    }
  }

  /** {@code committed} (before a read) or {@code issued} (after it), key by key. */
  private long[] copy(boolean issued) {
    long[] out = new long[run.keys];
    for (int i = 0; i < out.length; i++) {
      out[i] = issued ? run.issued.get(i) : run.committed.get(i);
    }
    return out;
  }

  /**
   * Checks a scan from key {@code start} in its direction that returned {@code seen} (at most
   * {@code limit}): every entry in its window and order, and every key of the range it covered
   * that it did not return absent at some version of its window.
   */
  private void checkScan(String what, boolean forward, int start, int limit, List<byte[][]> seen, long[] lo, long[] hi) {
    int prev = forward ? start - 1 : start + 1;
    for (byte[][] e : seen) {
      int i = index(e[0]);
      if (!Arrays.equals(e[0], ConcurrentModelRun.key(i)) || (forward ? i <= prev : i >= prev)) {
        fail(what + " from key " + start + " returned key " + new String(e[0]) + " after key " + prev);
      }
      for (int gap = forward ? prev + 1 : prev - 1; gap != i; gap += forward ? 1 : -1) {
        checkRead(what + " (not returned)", gap, lo[gap], hi[gap], null, null);
      }
      checkRead(what, i, lo[i], hi[i], e[1], null);
      prev = i;
    }
    if (seen.size() < limit) { // it reached the end: nothing lies beyond its last key
      for (int gap = forward ? prev + 1 : prev - 1; gap >= 0 && gap < run.keys; gap += forward ? 1 : -1) {
        checkRead(what + " (past its end)", gap, lo[gap], hi[gap], null, null);
      }
    }
  }

  /** Checks one read of key {@code i} against its window {@code [lo, hi]} ({@code exp}: the writer's value, or null). */
  private void checkRead(String what, int i, long lo, long hi, byte[] got, byte[] exp) {
    checks.increment();
    if (got == null) {
      for (long v = lo; v <= hi; v++) {
        if (VersionedValues.absentAt(i, v)) {
          return;
        }
      }
      fail(what + " of key " + i + ": absent, but no version in [" + lo + ", " + hi + "] is a delete");
    }
    if (!VersionedValues.valid(ConcurrentModelRun.key(i), got)) {
      fail(what + " of key " + i + ": a value no change wrote (damaged, or another key's): " + ConcurrentModelRun.describe(got));
    }
    long v = VersionedValues.version(got);
    if (v < lo || v > hi || VersionedValues.kind(i, v) == VersionedValues.DELETE) {
      fail(what + " of key " + i + ": version " + v + " outside [" + lo + ", " + hi + "] or a delete's");
    }
    if (exp != null && VersionedValues.version(exp) == v && !Arrays.equals(exp, got)) {
      fail(what + " of key " + i + ": version " + v + " differs from what its writer wrote");
    }
  }

  private void fail(String message) {
    throw new AssertionError("seed " + run.seed + ": " + message);
  }
}
