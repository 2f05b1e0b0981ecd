package dev.sapwood.kafka;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A {@link SapwoodKeyValueStore} as of its last commit ({@code READ_COMMITTED}): the tree alone,
 * without the writes held in memory since. Writes spilled early (past the uncommitted-bytes limit)
 * are in the tree and so are seen. Thread-safe as the store is.
 */
final class CommittedView implements ReadOnlyKeyValueStore<Bytes, byte[]> {
  private final SapwoodKeyValueStore store;

  CommittedView(SapwoodKeyValueStore store) {
    this.store = store;
  }

  @Override
  public byte[] get(Bytes key) {
    store.checkOpen();
    return store.dataTree().get(key.get());
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    return store.committedIterator(from, to, false);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
    return store.committedIterator(from, to, true);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> all() {
    return store.committedIterator(null, null, false);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseAll() {
    return store.committedIterator(null, null, true);
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
    throw new UnsupportedOperationException("prefixScan on the committed view; use the store itself");
  }

  @Override
  public long approximateNumEntries() {
    store.checkOpen();
    return Math.max(0, store.dataTree().approximateSize());
  }
}
