package dev.sapwood.bench.peers;

import java.util.Locale;
import java.util.Map;

/**
 * The child JVM configuration the README recommends for bounding Sapwood's process memory
 * ("Bounding the process's memory"), asked for by the word {@code bounded} in
 * {@code --child-java-opts} (or {@code --child-java-opts-sapwood}). The benchmark's cache size is
 * then Sapwood's <em>memory budget</em> B: everything the engine holds, the heap and the off-heap
 * tier together, not its caches alone. A heap of half the budget ({@link #HEAP_SHARE_OF_BUDGET};
 * at least 64 MiB), whose node cache is half of it (a quarter of B) and the rest the collector's
 * room; the other half of B as the off-heap tier of compressed frames ({@link
 * #TIER_SHARE_OF_BUDGET}). In {@link dev.sapwood.Options} terms: {@code cacheSize} 3B/4, {@code
 * offHeapCacheShare} 2/3 (the child's {@code -Dsapwood.bench.cacheBytes} and {@code
 * -Dsapwood.bench.offHeapCacheShare}). Direct memory is allowed for the whole tier plus {@link
 * #DIRECT_SLACK_MIB} (by default the JVM caps it at about {@code -Xmx}), glibc returns what the JVM
 * frees, {@code MALLOC_ARENA_MAX=2} is set in the child's environment, the Shenandoah collector
 * ({@link #COLLECTOR}) runs unless the options choose another one, and C2's inlining trees are
 * smaller ({@link #INLINING}). Options after the word override it (the JVM takes the last of a flag
 * given twice).
 */
final class BoundedMemory {
  private BoundedMemory() {}

  /** The word that asks for this configuration. */
  static final String WORD = "bounded";

  /**
   * {@code -Xmx} as a share of the budget: the heap's node cache (a quarter of the budget) and as
   * much again for the collector. 16 MiB less at 20M keys / 256 MiB ({@code -Xmx112m}) took 8–16
   * MiB off the peak RSS but cost the fill 8–23%, the overwrite 14% and the sequential scan 28%
   * (Shenandoah cycling more often on two cores), and {@code -Xmx96m} ran out of heap; a heap cache
   * of an eighth cost the fill 42% (docs/benchmarks.md, "The log's windows and the heap's room",
   * "Peak RSS at 20M: a smaller heap cache").
   */
  static final double HEAP_SHARE_OF_BUDGET = 0.5;

  /**
   * The off-heap tier's share of the budget: what the heap leaves. Until the budget counted the
   * heap's room the tier was three quarters of it (192 MiB at 256) and the process peaked at
   * 427–440 MiB; at a half (128 MiB) it peaked at 358–376, the 20M fill, gets, seeks and scan ran
   * at the same rates (the page cache got the 64 MiB), and the overwrite wrote 4.52 bytes per user
   * byte against 3.52–3.58, as fewer dirty internal nodes stay parked (docs/benchmarks.md, "The
   * budget: the heap's room counted").
   */
  static final double TIER_SHARE_OF_BUDGET = 1 - HEAP_SHARE_OF_BUDGET;

  /** The heap's node cache as a share of the budget: half the heap, the rest the collector's room. */
  static final double HEAP_CACHE_SHARE_OF_BUDGET = HEAP_SHARE_OF_BUDGET / 2;

  /** Direct memory beyond the tier: NIO's per-thread temporary buffers (measured at ~2 MiB). */
  static final long DIRECT_SLACK_MIB = 16;

  /**
   * The collector: at 5M keys / 64 MiB, 3.7–3.8% of the fill in pauses against Serial's 17–19%
   * (two runs, loaded machine), at +11–14 MiB of peak RSS (docs/benchmarks.md, "Issue 14: a node
   * brought in for a flush leaves after it"). Left out when the options select a collector.
   */
  static final String COLLECTOR = "-XX:+UseShenandoahGC";

  /**
   * Smaller C2 inlining trees (JDK 17's defaults are 15 and 2500; 9 was the default before JDK
   * 14): the largest compilations (the put path inlined into each of its callers, {@code
   * LeafMerge.apply}, {@code PartitionReader.readFrames}) need less of the compiler's transient
   * work memory, which is what lifts the process's peak above its level between compilations
   * (docs/benchmarks.md, branch {@code rss2}).
   */
  static final String INLINING = "-XX:MaxInlineLevel=9 -XX:InlineSmallCode=1000";

  /** Marks a child's options as bounded (also what makes the environment variable be set). */
  private static final String TRIM = "-XX:TrimNativeHeapInterval=1000";

  /** {@code opts} with the word replaced by the JVM options for a memory budget of {@code cacheBytes}. */
  static String expand(String opts, long cacheBytes) {
    StringBuilder sb = new StringBuilder();
    boolean choosesCollector = java.util.regex.Pattern.compile("-XX:\\+Use\\w+GC\\b").matcher(opts).find();
    for (String o : opts.trim().split("\\s+")) {
      if (o.isEmpty()) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append(' ');
      }
      if (o.equals(WORD)) {
        long heapMiB = Math.max(64, (long) ((cacheBytes >> 20) * HEAP_SHARE_OF_BUDGET));
        long tierMiB = (long) Math.ceil(cacheBytes * TIER_SHARE_OF_BUDGET / (1 << 20));
        long caches = (long) (cacheBytes * (TIER_SHARE_OF_BUDGET + HEAP_CACHE_SHARE_OF_BUDGET));
        double share = TIER_SHARE_OF_BUDGET / (TIER_SHARE_OF_BUDGET + HEAP_CACHE_SHARE_OF_BUDGET);
        sb.append(String.format(Locale.ROOT, "-Xmx%dm -XX:MaxDirectMemorySize=%dm %s -Dsapwood.bench.cacheBytes=%d "
            + "-Dsapwood.bench.offHeapCacheShare=%s %s",
            heapMiB, tierMiB + DIRECT_SLACK_MIB, TRIM, caches, share, INLINING));
        if (!choosesCollector) {
          sb.append(' ').append(COLLECTOR);
        }
      } else {
        sb.append(o);
      }
    }
    return sb.toString();
  }

  /** Sets the environment a bounded child runs with (if its options, expanded, are bounded). */
  static void environment(String expandedOpts, Map<String, String> env) {
    if (expandedOpts.contains(TRIM)) {
      env.putIfAbsent("MALLOC_ARENA_MAX", "2");
    }
  }
}
