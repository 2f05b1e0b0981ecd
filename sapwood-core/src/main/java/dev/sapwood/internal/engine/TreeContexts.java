package dev.sapwood.internal.engine;

import dev.sapwood.Options;
import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.tree.TreeContext;
import dev.sapwood.internal.util.Compressors;

/**
 * The trees' shared context as an open's {@link Options} set it up: the cache split between the
 * heap's node cache and the off-heap frame tier ({@link Options#offHeapCacheShare}), the shape
 * (node and basement size, fanout, compression), the leaf delta ratio, and the MSN the block file
 * last recorded. Stateless.
 *
 * <p>Invariants: the heap cache and the off-heap tier together hold {@link Options#cacheSize};
 * with no off-heap share there is no frame tier at all.
 */
final class TreeContexts {
  private TreeContexts() {}

  static TreeContext open(BlockFile file, Options options, FunctionRegistry functions, Counters counters) {
    long offHeap = FrameCache.offHeapBytes(options.cacheSize(), options.offHeapCacheShare());
    TreeContext ctx = new TreeContext(file, options.cacheSize() - offHeap, options.nodeSize(), options.basementSize(),
        options.fanout(), Compressors.codeOf(options.compression()), functions, file.header().maxMsn(), counters);
    ctx.frameCache(offHeap == 0 ? null : new FrameCache(offHeap, counters));
    ctx.leafDeltaRatio(options.leafDeltaRatio());
    return ctx;
  }
}
