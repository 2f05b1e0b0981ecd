package dev.sapwood.internal.stats;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A registry of named status counters. Components look their counters up once, at construction,
 * and keep the {@link LongAdder}: incrementing one is cheap and contention-free. Besides sums
 * there are extremes ({@link #maximum}, {@link #minimum}): the largest or smallest value ever
 * offered, 0 until one is. A sum may also have parts kept elsewhere ({@link #locked}: plain
 * counts added under a lock their owner holds anyway), added to it whenever it is read ({@link
 * #snapshot}, {@link #value}). Thread-safe.
 *
 * <p>Invariants: one name is one kind of figure (a sum or an extreme), never both; a sum is its
 * {@link LongAdder} plus its live {@link LockedCount} parts, and a part {@link #retire}d is folded
 * into the adder and dropped in one step under this registry's monitor, which readers of parts take
 * too, so a sum never counts a retired part twice or loses it.
 */
public final class Counters {
  private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAccumulator> extremes = new ConcurrentHashMap<>();
  /** The live parts of sums, by name; guarded by this registry's monitor. */
  private final Map<String, List<LockedCount>> parts = new HashMap<>();

  /** The counter named {@code name}, created at 0 on first use. */
  public LongAdder counter(String name) {
    return counters.computeIfAbsent(name, n -> new LongAdder());
  }

  /**
   * A new part of the sum named {@code name}, counted with the sum's other parts and its {@link
   * #counter}: a count its owner adds to only under one lock it holds anyway (one per part; see
   * {@link LockedCount}).
   */
  public synchronized LockedCount locked(String name) {
    LockedCount c = new LockedCount();
    parts.computeIfAbsent(name, n -> new ArrayList<>()).add(c);
    return c;
  }

  /**
   * Folds {@code part} of the sum named {@code name} into the sum's counter and stops reading it
   * (its owner is gone: a dropped tree). REQUIRES: no thread adds to it any more.
   */
  public synchronized void retire(String name, LockedCount part) {
    List<LockedCount> list = parts.get(name);
    if (list != null && list.removeIf(c -> c == part)) {
      counter(name).add(part.get());
    }
  }

  /** The sum named {@code name} now (0 if nothing counts under it), with its parts. */
  public long value(String name) {
    LongAdder a = counters.get(name);
    long v = 0;
    synchronized (this) {
      if (a != null) {
        v = a.sum();
      }
      List<LockedCount> list = parts.get(name);
      if (list != null) {
        for (LockedCount c : list) {
          v += c.get();
        }
      }
    }
    return v;
  }

  /** The largest value offered to it ({@link LongAccumulator#accumulate}); 0 before the first. */
  public LongAccumulator maximum(String name) {
    return extremes.computeIfAbsent(name, n -> new LongAccumulator(Math::max, Long.MIN_VALUE));
  }

  /** The smallest value offered to it; 0 before the first. */
  public LongAccumulator minimum(String name) {
    return extremes.computeIfAbsent(name, n -> new LongAccumulator(Math::min, Long.MAX_VALUE));
  }

  /** A snapshot of every counter and extreme, sorted by name. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new TreeMap<>();
    synchronized (this) {
      counters.forEach((k, v) -> m.put(k, v.sum()));
      parts.forEach((k, list) -> {
        long v = m.getOrDefault(k, 0L);
        for (LockedCount c : list) {
          v += c.get();
        }
        m.put(k, v);
      });
    }
    extremes.forEach((k, v) -> {
      long x = v.get();
      m.put(k, x == Long.MIN_VALUE || x == Long.MAX_VALUE ? 0 : x);
    });
    return m;
  }
}
