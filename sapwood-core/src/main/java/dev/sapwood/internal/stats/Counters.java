package dev.sapwood.internal.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A registry of named status counters. Components look their counters up once, at construction,
 * and keep the {@link LongAdder}: incrementing one is cheap and contention-free. Thread-safe.
 */
public final class Counters {
  private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();

  /** The counter named {@code name}, created at 0 on first use. */
  public LongAdder counter(String name) {
    return counters.computeIfAbsent(name, n -> new LongAdder());
  }

  /** A snapshot of every counter, sorted by name. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new TreeMap<>();
    counters.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
