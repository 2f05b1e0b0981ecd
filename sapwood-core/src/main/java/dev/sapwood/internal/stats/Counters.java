package dev.sapwood.internal.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A registry of named status counters. Components look their counters up once, at construction,
 * and keep the {@link LongAdder}: incrementing one is cheap and contention-free. Besides sums
 * there are extremes ({@link #maximum}, {@link #minimum}): the largest or smallest value ever
 * offered, 0 until one is. Thread-safe.
 *
 * <p>Invariants: one name is one kind of figure (a sum or an extreme), never both.
 */
public final class Counters {
  private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAccumulator> extremes = new ConcurrentHashMap<>();

  /** The counter named {@code name}, created at 0 on first use. */
  public LongAdder counter(String name) {
    return counters.computeIfAbsent(name, n -> new LongAdder());
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
    counters.forEach((k, v) -> m.put(k, v.sum()));
    extremes.forEach((k, v) -> {
      long x = v.get();
      m.put(k, x == Long.MIN_VALUE || x == Long.MAX_VALUE ? 0 : x);
    });
    return m;
  }
}
