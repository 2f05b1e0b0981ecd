package dev.sapwood.internal.engine;

import dev.sapwood.Stats;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.tree.TreeContext;
import dev.sapwood.internal.wal.LogWriter;
import java.util.Map;
import java.util.TreeMap;

/**
 * Gathers {@link dev.sapwood.Database#stats}: the engine's named counters, the block file's, and
 * the figures read from the rooms at the moment of the call (cache, trees, MSN, log, snapshots,
 * transactions), in one sorted map.
 *
 * <p>Invariants: called under the gate's shared lock (by {@link DatabaseImpl#stats}), so no
 * checkpoint or batch is half done while the figures are read; a read-only database, which has no
 * log writer, reports the LSN after the last record recovery found as the log's next, and the one
 * before it as durable.
 */
final class DatabaseStats {
  private DatabaseStats() {}

  /** The figures of a database; {@code log} is null when it was opened read-only. */
  static Stats collect(Counters counters, BlockFile file, TreeContext ctx, TreeRegistry trees,
      LogWriter log, long recoveredNextLsn, TxnStats txnStats) {
    Map<String, Long> m = new TreeMap<>(counters.snapshot());
    m.putAll(file.counters());
    m.put("cache.used_bytes", ctx.cacheUsedBytes());
    m.put("cache.budget_bytes", ctx.cacheBudgetBytes());
    m.put("cache.pools_counted_bytes", ctx.cachePooledBytes());
    m.put("cache.nodes", (long) ctx.cachedNodes());
    long[] kinds = ctx.cacheBytesByKind();
    m.put("cache.dirty_internal_bytes", kinds[0]);
    m.put("cache.dirty_leaf_bytes", kinds[1]);
    m.put("cache.internal_bytes", kinds[2]);
    m.put("cache.offheap_bytes", ctx.frameCache() == null ? 0 : ctx.frameCache().allocatedBytes());
    m.put("cache.offheap_index_bytes", ctx.frameCache() == null ? 0 : ctx.frameCache().heapBytes());
    m.put("cache.offheap_budget_bytes", ctx.frameCache() == null ? 0 : ctx.frameCache().budget());
    dev.sapwood.internal.cache.ParkedImages.Figures parked = ctx.nodes().parked() == null
        ? new dev.sapwood.internal.cache.ParkedImages.Figures(0, 0, 0) : ctx.nodes().parked().figures();
    m.put("cache.parked_nodes", (long) parked.images());
    m.put("cache.parked_image_bytes", parked.imageBytes());
    m.put("cache.parked_held_bytes", parked.heldBytes());
    long[] pool = TreeContext.blockPoolFigures();
    m.put("cache.block_pool_bytes", pool[0]);
    m.put("cache.block_pool_reused", pool[1]);
    m.put("cache.block_pool_allocated", pool[2]);
    m.put("cache.block_pool_dropped", pool[3]);
    m.put("cache.scratch_pool_bytes", dev.sapwood.internal.util.ArrayPool.keptBytesOfAll());
    m.put("db.trees", (long) trees.size());
    m.put("db.last_msn", ctx.lastMsn());
    m.put("log.next_lsn", log == null ? recoveredNextLsn : log.nextLsn());
    m.put("log.durable_lsn", log == null ? recoveredNextLsn - 1 : log.durableLsn());
    m.put("snapshots.open", (long) ctx.snapshots.openCount());
    m.put("snapshots.oldest_age_ms", ctx.snapshots.oldestAgeMillis());
    m.put("txn.open", (long) txnStats.open());
    return new Stats(m);
  }
}
