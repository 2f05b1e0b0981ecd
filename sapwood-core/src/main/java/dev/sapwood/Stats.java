package dev.sapwood;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of the database's status counters, taken by {@link Database#stats()}. Counter names
 * are dotted, grouped by subsystem ({@code flush.*}, {@code split.*}, {@code cache.*},
 * {@code io.*}, ...). Immutable and thread-safe.
 */
public final class Stats {
  private final Map<String, Long> counters;

  public Stats(Map<String, Long> counters) {
    this.counters = Collections.unmodifiableMap(new TreeMap<>(counters));
  }

  /** Every counter by name, sorted by name. */
  public Map<String, Long> counters() {
    return counters;
  }

  /** One counter, or 0 if there is no counter of that name. */
  public long get(String name) {
    return counters.getOrDefault(name, 0L);
  }

  /** The counters grouped by their first name component, one per line. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    String group = null;
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      String name = e.getKey();
      int dot = name.indexOf('.');
      String g = dot < 0 ? name : name.substring(0, dot);
      if (!g.equals(group)) {
        sb.append(g).append(":\n");
        group = g;
      }
      sb.append(String.format("  %-36s %,d%n", name, e.getValue()));
    }
    return sb.toString();
  }
}
