package dev.sapwood.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorContextUtils;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.query.Position;

/**
 * The changelog of a {@link SapwoodKeyValueStore} built by {@link
 * SapwoodStores#updatableStoreBuilder} with logging on, the store with blind updates. Such a store
 * has no Kafka changelogging layer in front of it (a layer would not see {@link
 * SapwoodKeyValueStore#update}), so it sends its changelog records itself, through the same
 * internal call that layer uses ({@code InternalProcessorContext.logChange}), and the changelog
 * holds full values as for any store, so restore and compaction work unchanged:
 *
 * <ul>
 *   <li>a put or delete is sent at once, with its value, as Kafka's {@code
 *       ChangeLoggingKeyValueBytesStore} sends it;
 *   <li>a blind update only marks its key dirty (no read). At the store's cache flush, which Kafka
 *       Streams runs before it flushes the producer and commits the input offsets (under
 *       exactly-once: before the transaction commits), each dirty key's value is read once and
 *       sent. The cost is one read per distinct key updated per commit interval, not per update.
 *   <li>past {@code maxDirtyBytes} of dirty keys, they are sent early, during processing: the
 *       records join the open transaction like any changelog record, so memory stays bounded.
 * </ul>
 *
 * <p>Invariants: every key written since the last flush either has its current value sent or is
 * in the dirty set; {@code dirtyBytes} is the sum of {@link #ENTRY_BYTES} plus key length over the
 * dirty set.
 *
 * <p>Thread-safety: used only by the stream thread that owns the store.
 */
final class StoreChangelog {
  /** Estimated heap bytes of one dirty key besides its key bytes (map node, table slot, holder). */
  static final int ENTRY_BYTES = 96;

  private final String storeName;
  /** Dirty key to the timestamp of the record that last updated it (a holder, reused per key). */
  private final Map<Bytes, long[]> dirty = new HashMap<>();
  private InternalProcessorContext<?, ?> context;
  private long maxDirtyBytes;
  private long dirtyBytes;
  private long sentAfterUpdates;

  StoreChangelog(String storeName) {
    this.storeName = storeName;
  }

  /** Binds to the task's context; dirty keys past {@code maxDirtyBytes} are sent early. */
  void opened(StateStoreContext storeContext, long maxDirtyBytes) {
    this.context = ProcessorContextUtils.asInternalProcessorContext(storeContext);
    this.maxDirtyBytes = maxDirtyBytes;
  }

  /** Sends {@code value} (null: a delete) as the key's current value; the key is no longer dirty. */
  void logWrite(Bytes key, byte[] value, Position position) {
    long[] was = dirty.remove(key);
    if (was != null) {
      dirtyBytes -= ENTRY_BYTES + key.get().length;
    }
    send(key, value, recordTimestamp(), position);
  }

  /** Marks {@code key} updated blindly; true if the dirty keys now pass their memory limit. */
  boolean markUpdated(Bytes key) {
    long ts = recordTimestamp();
    long[] holder = dirty.get(key);
    if (holder == null) {
      dirty.put(key, new long[] {ts});
      dirtyBytes += ENTRY_BYTES + key.get().length;
    } else {
      holder[0] = ts;
    }
    return dirtyBytes > maxDirtyBytes;
  }

  /** Sends each dirty key's current value, read once through {@code currentValue}; clears the set. */
  void flush(Function<Bytes, byte[]> currentValue, Position position) {
    if (dirty.isEmpty()) {
      return;
    }
    for (Map.Entry<Bytes, long[]> e : dirty.entrySet()) {
      send(e.getKey(), currentValue.apply(e.getKey()), e.getValue()[0], position);
      sentAfterUpdates++;
    }
    clear();
  }

  boolean isEmpty() {
    return dirty.isEmpty();
  }

  /** Changelog records sent for blindly updated keys so far (one per key per flush). */
  long sentAfterUpdates() {
    return sentAfterUpdates;
  }

  /** Forgets the dirty keys (the store's uncommitted writes are dropped with them). */
  void clear() {
    dirty.clear();
    dirtyBytes = 0;
  }

  private void send(Bytes key, byte[] value, long timestamp, Position position) {
    context.logChange(storeName, key, value, timestamp, new RecordHeaders(), position);
  }

  /** The timestamp of the record being processed, as Kafka's changelogging layer uses it. */
  private long recordTimestamp() {
    ProcessorRecordContext rc = context.recordContext();
    return rc != null ? rc.timestamp() : context.currentSystemTimeMs();
  }
}
