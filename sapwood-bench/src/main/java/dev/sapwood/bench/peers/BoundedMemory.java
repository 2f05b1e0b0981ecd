package dev.sapwood.bench.peers;

import java.util.Locale;
import java.util.Map;

/**
 * The child JVM configuration the README recommends for bounding Sapwood's process memory
 * ("Bounding the process's memory"), asked for by the word {@code bounded} in
 * {@code --child-java-opts} (or {@code --child-java-opts-sapwood}): three quarters of the cache
 * as the off-heap tier of compressed frames, a heap of half the cache (at least 64 MiB; see
 * {@link #HEAP_SHARE_OF_CACHE} for why not less), direct
 * memory allowed for the whole tier plus {@link #DIRECT_SLACK_MIB} (by default the JVM caps it at
 * about {@code -Xmx}: at 256 MiB that leaves the tier at most ~124 of its 192 MiB, and a run with
 * {@code -Xmx96m} and share 0.9 held 88 of 228 MiB), glibc returning what the JVM frees, and {@code MALLOC_ARENA_MAX=2} in the child's environment,
 * the Shenandoah collector ({@link #COLLECTOR}) unless the options choose another one, and
 * smaller C2 inlining trees ({@link #INLINING}). Options after the word override it (the JVM
 * takes the last of a flag given twice).
 */
final class BoundedMemory {
  private BoundedMemory() {}

  /** The word that asks for this configuration. */
  static final String WORD = "bounded";

  /** Off-heap share of the cache. */
  static final double SHARE = 0.75;

  /**
   * {@code -Xmx} as a share of the cache: the heap share (a quarter) and as much again for the
   * collector. 16 MiB less at 20M keys / 256 MiB ({@code -Xmx112m}) took 8–16 MiB off the peak RSS
   * (415–430 against 423–437 MiB, still above the issue's ≈ 390) but cost the fill 8–23%, the
   * overwrite 14% and the sequential scan 28% (Shenandoah cycling more often on two cores), and
   * {@code -Xmx96m} ran out of heap (docs/benchmarks.md, "The log's windows and the heap's room").
   */
  static final double HEAP_SHARE_OF_CACHE = 0.5;

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

  /** {@code opts} with the word replaced by the JVM options for a cache of {@code cacheBytes}. */
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
        long heapMiB = Math.max(64, (long) ((cacheBytes >> 20) * HEAP_SHARE_OF_CACHE));
        long directMiB = (long) ((cacheBytes >> 20) * SHARE) + DIRECT_SLACK_MIB;
        sb.append(String.format(Locale.ROOT, "-Xmx%dm -XX:MaxDirectMemorySize=%dm %s -Dsapwood.bench.offHeapCacheShare=%s %s",
            heapMiB, directMiB, TRIM, SHARE, INLINING));
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
