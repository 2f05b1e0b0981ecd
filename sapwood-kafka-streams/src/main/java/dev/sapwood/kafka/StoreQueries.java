package dev.sapwood.kafka;

import java.util.Map;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.ResultOrder;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries (IQv2) on a {@link SapwoodKeyValueStore}: {@link KeyQuery} and {@link
 * RangeQuery} on the raw bytes; any other query is {@code UNKNOWN_QUERY_TYPE}. A query whose
 * position bound the store has not reached is {@code NOT_UP_TO_BOUND}. Under {@link
 * IsolationLevel#READ_COMMITTED} the query reads the committed data only (not the writes since the
 * last commit).
 *
 * <p>Stateless; thread-safe as the store is.
 */
final class StoreQueries {
  private StoreQueries() {}

  @SuppressWarnings("unchecked")
  static <R> QueryResult<R> run(SapwoodKeyValueStore store, Query<R> query, PositionBound bound, QueryConfig config,
      Position position) {
    long start = System.nanoTime();
    if (!bound.isUnbounded() && !reached(position, bound.position())) {
      return QueryResult.notUpToBound(position, bound, null);
    }
    ReadOnlyKeyValueStore<Bytes, byte[]> view =
        config.getIsolationLevel() == IsolationLevel.READ_COMMITTED ? store.readOnly(IsolationLevel.READ_COMMITTED) : store;
    QueryResult<R> result;
    if (query instanceof KeyQuery<?, ?> kq) {
      result = (QueryResult<R>) QueryResult.forResult(view.get((Bytes) kq.getKey()));
    } else if (query instanceof RangeQuery<?, ?> rq) {
      Bytes lo = (Bytes) rq.getLowerBound().orElse(null);
      Bytes hi = (Bytes) rq.getUpperBound().orElse(null);
      Object it = rq.resultOrder() == ResultOrder.DESCENDING ? view.reverseRange(lo, hi) : view.range(lo, hi);
      result = (QueryResult<R>) QueryResult.forResult(it);
    } else {
      return QueryResult.forUnknownQueryType(query, store);
    }
    if (config.isCollectExecutionInfo()) {
      result.addExecutionInfo("Handled in " + store.getClass().getSimpleName() + " in "
          + (System.nanoTime() - start) + "ns");
    }
    result.setPosition(position);
    return result;
  }

  /** Whether {@code position} is at or past {@code bound} on every partition the bound names. */
  static boolean reached(Position position, Position bound) {
    for (String topic : bound.getTopics()) {
      if (!position.getTopics().contains(topic)) {
        return false;
      }
      Map<Integer, Long> have = position.getPartitionPositions(topic);
      for (Map.Entry<Integer, Long> e : bound.getPartitionPositions(topic).entrySet()) {
        Long at = have.get(e.getKey());
        if (at == null || at < e.getValue()) {
          return false;
        }
      }
    }
    return true;
  }
}
