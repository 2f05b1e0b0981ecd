package dev.sapwood.internal.tree;

import dev.sapwood.internal.stats.Counters;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Latency of the writes of dirty nodes to the block file, by phase, as sled's object cache keeps
 * them for its flushes: the sum over all and the largest single one, in microseconds. Two kinds of
 * "flush" are told apart:
 *
 * <ul>
 *   <li>a checkpoint: its waiting (for the write latch of each node it writes), serialization
 *       (encoding and compressing nodes, including those writers write for it) and storage (the
 *       node writes, and what {@link #closeCheckpoint} is given: catalog, log sync, block table,
 *       header); one figure per phase per checkpoint, {@code checkpoint.phase_*};
 *   <li>a write-back: one dirty node written outside a checkpoint (evicted, or written before a
 *       partition fetch), serialization and storage, {@code writeback.*}.
 * </ul>
 *
 * <p>Thread-safe: the current checkpoint's figures accumulate in adders that {@link
 * #closeCheckpoint} (one checkpoint at a time) reads and resets.
 */
public final class FlushPhases {
  private final LongAdder ckWait = new LongAdder();
  private final LongAdder ckSerialize = new LongAdder();
  private final LongAdder ckStorage = new LongAdder();
  private final LongAdder ckWaitTotal;
  private final LongAccumulator ckWaitMax;
  private final LongAdder ckSerializeTotal;
  private final LongAccumulator ckSerializeMax;
  private final LongAdder ckStorageTotal;
  private final LongAccumulator ckStorageMax;
  private final LongAdder wbCount;
  private final LongAdder wbSerializeTotal;
  private final LongAccumulator wbSerializeMax;
  private final LongAdder wbStorageTotal;
  private final LongAccumulator wbStorageMax;

  FlushPhases(Counters c) {
    ckWaitTotal = c.counter("checkpoint.phase_wait_micros_total");
    ckWaitMax = c.maximum("checkpoint.phase_wait_micros_max");
    ckSerializeTotal = c.counter("checkpoint.phase_serialize_micros_total");
    ckSerializeMax = c.maximum("checkpoint.phase_serialize_micros_max");
    ckStorageTotal = c.counter("checkpoint.phase_storage_micros_total");
    ckStorageMax = c.maximum("checkpoint.phase_storage_micros_max");
    wbCount = c.counter("writeback.nodes");
    wbSerializeTotal = c.counter("writeback.serialize_micros_total");
    wbSerializeMax = c.maximum("writeback.serialize_micros_max");
    wbStorageTotal = c.counter("writeback.storage_micros_total");
    wbStorageMax = c.maximum("writeback.storage_micros_max");
  }

  void checkpointWait(long nanos) {
    ckWait.add(nanos);
  }

  void checkpointWrite(long serializeNanos, long storageNanos) {
    ckSerialize.add(serializeNanos);
    ckStorage.add(storageNanos);
  }

  void writeBack(long serializeNanos, long storageNanos) {
    long s = serializeNanos / 1000;
    long w = storageNanos / 1000;
    wbCount.increment();
    wbSerializeTotal.add(s);
    wbSerializeMax.accumulate(s);
    wbStorageTotal.add(w);
    wbStorageMax.accumulate(w);
  }

  /**
   * Ends the current checkpoint's figures: {@code waitNanos} and {@code storageNanos} are what the
   * checkpointer measured itself (its lock wait at begin; the catalog, log sync, table and header).
   */
  public void closeCheckpoint(long waitNanos, long storageNanos) {
    long wait = (ckWait.sumThenReset() + waitNanos) / 1000;
    long ser = ckSerialize.sumThenReset() / 1000;
    long sto = (ckStorage.sumThenReset() + storageNanos) / 1000;
    ckWaitTotal.add(wait);
    ckWaitMax.accumulate(wait);
    ckSerializeTotal.add(ser);
    ckSerializeMax.accumulate(ser);
    ckStorageTotal.add(sto);
    ckStorageMax.accumulate(sto);
  }
}
