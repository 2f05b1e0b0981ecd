package dev.sapwood.internal.engine;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.UpdateFunctions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What a database may hold after a crash, for a single writer: the writes are events in the order
 * they were made; a prefix of them is known durable (acknowledged {@code SYNC} writes, {@code
 * sync()}, checkpoints and close cover everything before them), and the state after recovery must
 * be the state after some prefix of the events that contains at least the durable ones and at
 * most everything up to the first failed one (a failed write may or may not have reached the
 * log; nothing after it may, since the database refuses writes after a failure).
 *
 * <p>Invariants: {@code durableUpTo < events.size()}; events are never removed.
 */
final class DurabilityModel {
  static final int PUT = 0;
  static final int DELETE = 1;
  static final int ADD = 2;
  static final int RANGE = 3;

  /** One change: for RANGE, {@code key} is the start and {@code arg} the end (exclusive). */
  record Op(int kind, String tree, byte[] key, byte[] arg) {
    @Override
    public String toString() {
      String k = new String(key, java.nio.charset.StandardCharsets.ISO_8859_1);
      return switch (kind) {
        case PUT -> "put " + tree + ":" + k + " (" + arg.length + " B)";
        case DELETE -> "delete " + tree + ":" + k;
        case ADD -> "add " + tree + ":" + k + " " + UpdateFunctions.toLong(arg);
        default -> "deleteRange " + tree + ":[" + k + ", " + new String(arg, java.nio.charset.StandardCharsets.ISO_8859_1) + ")";
      };
    }
  }

  /** A write call: its changes, whether it was to be durable when acknowledged, and what came of it. */
  static final class Event {
    final List<Op> ops;
    final String how;
    boolean acked;
    boolean failed;

    Event(List<Op> ops, String how) {
      this.ops = ops;
      this.how = how;
    }

    @Override
    public String toString() {
      return how + (acked ? " acked " : failed ? " FAILED " : " pending ") + ops;
    }
  }

  /** Trees by name; a tree that does not exist equals an empty one. */
  static final class State {
    final Map<String, TreeMap<byte[], byte[]>> trees = new HashMap<>();

    State copy() {
      State s = new State();
      trees.forEach((name, m) -> s.trees.put(name, new TreeMap<>(m)));
      return s;
    }

    TreeMap<byte[], byte[]> tree(String name) {
      return trees.computeIfAbsent(name, n -> new TreeMap<>(Arrays::compareUnsigned));
    }

    void apply(Op op) {
      TreeMap<byte[], byte[]> t = tree(op.tree);
      switch (op.kind) {
        case PUT -> t.put(op.key, op.arg);
        case DELETE -> t.remove(op.key);
        case ADD -> {
          byte[] old = t.get(op.key);
          if (old == null || old.length == 8) {
            long v = (old == null ? 0 : UpdateFunctions.toLong(old)) + UpdateFunctions.toLong(op.arg);
            t.put(op.key, UpdateFunctions.fromLong(v));
          } // else: the update fails and is skipped
        }
        default -> {
          if (Arrays.compareUnsigned(op.key, op.arg) < 0) {
            t.subMap(op.key, true, op.arg, false).clear();
          }
        }
      }
    }

    void apply(Event e) {
      for (Op op : e.ops) {
        apply(op);
      }
    }

    /** The first difference from {@code other}, or null if they hold the same entries. */
    String diff(State other) {
      java.util.Set<String> names = new java.util.TreeSet<>(trees.keySet());
      names.addAll(other.trees.keySet());
      for (String n : names) {
        NavigableMap<byte[], byte[]> a = tree(n);
        NavigableMap<byte[], byte[]> b = other.tree(n);
        var ia = a.entrySet().iterator();
        var ib = b.entrySet().iterator();
        while (ia.hasNext() || ib.hasNext()) {
          var ea = ia.hasNext() ? ia.next() : null;
          var eb = ib.hasNext() ? ib.next() : null;
          if (ea == null || eb == null || !Arrays.equals(ea.getKey(), eb.getKey())
              || !Arrays.equals(ea.getValue(), eb.getValue())) {
            return "tree " + n + ": expected " + show(ea) + ", found " + show(eb);
          }
        }
      }
      return null;
    }

    private static String show(Map.Entry<byte[], byte[]> e) {
      if (e == null) {
        return "nothing";
      }
      byte[] v = e.getValue();
      String value = v.length == 8 ? "long " + UpdateFunctions.toLong(v) : v.length + " B";
      return new String(e.getKey(), java.nio.charset.StandardCharsets.ISO_8859_1) + "=" + value;
    }

    /** Everything in every tree of {@code db}, by full scans. */
    static State read(Database db) {
      State s = new State();
      for (String name : db.treeNames()) {
        TreeMap<byte[], byte[]> m = s.tree(name);
        try (Cursor c = db.tree(name).cursor()) {
          for (boolean ok = c.first(); ok; ok = c.next()) {
            m.put(c.key(), c.value());
          }
        }
      }
      return s;
    }
  }

  final State base;
  final List<Event> events = new ArrayList<>();
  /** Index of the last event known durable, -1 if none. */
  int durableUpTo = -1;
  /** The state with every acknowledged event applied (what reads must see while nothing failed). */
  final State current;

  DurabilityModel(State base) {
    this.base = base.copy();
    this.current = base.copy();
  }

  Event begin(List<Op> ops, String how) {
    Event e = new Event(ops, how);
    events.add(e);
    return e;
  }

  /** The event was acknowledged; {@code durable} if its acknowledgment promises durability. */
  void acked(Event e, boolean durable) {
    e.acked = true;
    current.apply(e);
    if (durable && firstFailed() < 0) {
      durableUpTo = events.indexOf(e);
    }
  }

  /** A sync, checkpoint or close returned: everything before it is durable. */
  void barrier() {
    if (firstFailed() >= 0) {
      return; // e.g. a close after a failure skips its checkpoint: it promises nothing more
    }
    durableUpTo = events.size() - 1;
  }

  int firstFailed() {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).failed) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Null if {@code actual} is the state after a permitted prefix of the events; otherwise a
   * description of how it differs from the closest permitted prefixes.
   */
  String check(State actual) {
    int failed = firstFailed();
    int last = failed >= 0 ? failed : events.size() - 1;
    int durable = Math.min(durableUpTo, last);
    State s = base.copy();
    for (int i = 0; i <= durable; i++) {
      s.apply(events.get(i));
    }
    StringBuilder why = new StringBuilder();
    for (int j = durable; ; j++) {
      String d = s.diff(actual);
      if (d == null) {
        return null;
      }
      if (j == durable || j == last) {
        why.append("\n  after event ").append(j).append(": ").append(d);
      }
      if (j >= last) {
        break;
      }
      s.apply(events.get(j + 1));
    }
    return "recovered state is no permitted prefix (durable up to event " + durableUpTo + ", at most up to "
        + last + " of " + events.size() + ")" + why + "\n  events: " + describeTail();
  }

  private String describeTail() {
    StringBuilder sb = new StringBuilder();
    int from = Math.max(0, durableUpTo - 2);
    for (int i = from; i < events.size() && i < from + 12; i++) {
      sb.append("\n    #").append(i).append(' ').append(events.get(i));
    }
    return sb.toString();
  }
}
