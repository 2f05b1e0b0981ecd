package dev.sapwood.internal.engine;

import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.tree.TreeContext;
import dev.sapwood.internal.wal.LogWriter;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fuzzy checkpoints. Begin, with the database's exclusive lock held briefly: note the log's next
 * LSN, the MSN and the catalog, mark every dirty node as waiting for the checkpoint and take the
 * block table's image. Then, with writers running: write each waiting node (a writer that reaches
 * one first writes it itself before changing it — the checkpoint clone of the original, sled's
 * cooperative serialization), write the catalog (unless it is what this open's last checkpoint
 * wrote), sync the log up to the begin LSN, write the
 * block table and the header. The image is the exact state at begin, so recovery replays the log
 * from the begin LSN.
 *
 * <p>One checkpoint runs at a time ({@code this} is the mutex). After the header is durable, log
 * segments older than the previous checkpoint's begin LSN are deleted: the older header slot may
 * still be fallen back on and needs the log from its own LSN.
 */
final class Checkpointer {
  /** What {@link #begin} captured, for the rest of the checkpoint. */
  record Begun(long lsn, long maxMsn, byte[] catalog, long[] pendingNodes, long begunNanos) {}

  private final BlockFile file;
  private final TreeContext ctx;
  private final LongAdder count;
  private final LongAdder totalMillis;
  private final LongAdder lastMillis;
  private long previousLsn;
  /** The catalog the last checkpoint of this open wrote (null before the first). */
  private byte[] writtenCatalog;

  Checkpointer(BlockFile file, TreeContext ctx, Counters counters) {
    this.file = file;
    this.ctx = ctx;
    this.count = counters.counter("checkpoint.count");
    this.totalMillis = counters.counter("checkpoint.total_millis");
    this.lastMillis = counters.counter("checkpoint.last_millis");
    this.previousLsn = file.header().checkpointLsn();
  }

  /** The begin step; the caller holds the database's exclusive lock and this checkpointer's monitor. */
  Begun begin(LogWriter log, Catalog catalog) {
    long lsn = log.nextLsn();
    catalog.rows.clear();
    catalog.trees.forEach((name, e) -> catalog.rows.put(name, Math.max(0, ctx.rows(e.root()).sum())));
    Begun b = new Begun(lsn, ctx.lastMsn(), catalog.encode(), ctx.nodes().markPending(), System.nanoTime());
    file.beginCheckpoint();
    return b;
  }

  /** The rest, with writers running; the caller holds this checkpointer's monitor. */
  void finish(Begun b, LogWriter log, long catalogBlock, long startNanos) {
    ctx.nodes().writePending(b.pendingNodes());
    long storageStart = System.nanoTime();
    if (!Arrays.equals(b.catalog(), writtenCatalog)) {
      // An unchanged catalog is not rewritten: its block is already in the image, and a rewrite
      // would only move it (to the end of the file, while its old place waits two checkpoints).
      file.writeCheckpointBlock(catalogBlock, b.catalog(), 0, b.catalog().length);
      writtenCatalog = b.catalog();
    }
    if (b.lsn() > 0) {
      log.sync(b.lsn() - 1);
    }
    file.completeCheckpoint(catalogBlock, b.maxMsn(), b.lsn());
    // Waiting: from the call to the begin (the tail relocation, then the exclusive lock).
    ctx.nodes().phases().closeCheckpoint(b.begunNanos() - startNanos, System.nanoTime() - storageStart);
    log.trimBefore(previousLsn);
    previousLsn = b.lsn();
    long millis = (System.nanoTime() - startNanos) / 1_000_000;
    count.increment();
    totalMillis.add(millis);
    lastMillis.reset();
    lastMillis.add(millis);
  }
}
