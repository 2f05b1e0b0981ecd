package dev.sapwood.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Options;
import dev.sapwood.UpdateFunctions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SapwoodKeyValueStoreTest {
  private static final TopicPartition CHANGELOG = new TopicPartition("app-counts-changelog", 3);
  private static final Options SMALL = Options.defaults().cacheSize(4 << 20).nodeSize(64 << 10).basementSize(4 << 10);

  @TempDir
  Path dir;

  private SapwoodKeyValueStore open(TestStoreContext ctx) {
    SapwoodKeyValueStore s = (SapwoodKeyValueStore) SapwoodStores.keyValueStore("counts", SMALL).get();
    s.init(ctx, s);
    return s;
  }

  private static Bytes b(String s) {
    return Bytes.wrap(s.getBytes(UTF_8));
  }

  private static byte[] v(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  @SuppressWarnings("deprecation") // managesOffsets: deprecated in Kafka 4.4 only as a step to "always true"
  void dataAndCommittedOffsetComeBackExactlyAfterReopen() {
    TestStoreContext ctx = new TestStoreContext(dir.toFile());
    SapwoodKeyValueStore s = open(ctx);
    assertTrue(s.managesOffsets());
    assertTrue(s.persistent());
    assertNull(s.committedOffset(CHANGELOG));
    for (int i = 0; i < 1000; i++) {
      s.put(b("k" + i), v("v" + i));
    }
    s.commit(Map.of(CHANGELOG, 999L));
    s.put(b("k1"), v("uncommitted"));
    s.delete(b("k2"));
    s.close();
    s.close(); // idempotent
    assertFalse(s.isOpen());
    assertThrows(InvalidStateStoreException.class, () -> s.get(b("k1")));

    SapwoodKeyValueStore again = open(new TestStoreContext(dir.toFile()));
    assertEquals(999L, again.committedOffset(CHANGELOG));
    assertArrayEquals(v("v1"), again.get(b("k1")), "a write after the last commit is not kept");
    assertArrayEquals(v("v2"), again.get(b("k2")));
    assertBetween(0, 1000, again.approximateNumEntries(), "before the tree's buffers are drained");
    again.database().compact();
    assertEquals(1000, again.approximateNumEntries(), "exact once drained");
    again.close();
  }

  @Test
  void aCommitWithNothingNewWritesNothing() {
    SapwoodKeyValueStore s = open(new TestStoreContext(dir.toFile()));
    s.put(b("a"), v("1"));
    s.commit(Map.of(CHANGELOG, 1L));
    long records = s.stats().get("log.records");
    s.commit(Map.of(CHANGELOG, 1L));
    s.commit(Map.of());
    assertEquals(records, s.stats().get("log.records"));
    s.commit(Map.of(CHANGELOG, 2L));
    assertEquals(records + 1, s.stats().get("log.records"), "a new offset alone is written");
    s.close();
  }

  @Test
  void offsetSentinelsAreStoredAsGiven() {
    SapwoodKeyValueStore s = open(new TestStoreContext(dir.toFile()));
    TopicPartition other = new TopicPartition("x", 0);
    s.commit(Map.of(CHANGELOG, -4L, other, 7L));
    s.close();
    SapwoodKeyValueStore again = open(new TestStoreContext(dir.toFile()));
    assertEquals(-4L, again.committedOffset(CHANGELOG));
    assertEquals(7L, again.committedOffset(other));
    again.close();
  }

  @Test
  void readsSeeUncommittedWritesButReadCommittedDoesNot() {
    SapwoodKeyValueStore s = open(new TestStoreContext(dir.toFile()));
    s.put(b("a"), v("1"));
    s.commit(Map.of(CHANGELOG, 0L));
    s.put(b("a"), v("2"));
    s.put(b("b"), v("3"));
    assertArrayEquals(v("2"), s.get(b("a")));
    var committed = s.readOnly(IsolationLevel.READ_COMMITTED);
    assertArrayEquals(v("1"), committed.get(b("a")));
    assertNull(committed.get(b("b")));
    assertTrue(s.approximateNumUncommittedBytes() > 0);
    s.commit(Map.of(CHANGELOG, 2L));
    assertEquals(0, s.approximateNumUncommittedBytes());
    assertArrayEquals(v("2"), committed.get(b("a")));
    s.database().compact();
    assertEquals(2, committed.approximateNumEntries());
    assertEquals(2, s.approximateNumEntries());
    s.close();
  }

  @Test
  void putIfAbsentPutAllAndDeleteReturnWhatTheContractSays() {
    SapwoodKeyValueStore s = open(new TestStoreContext(dir.toFile()));
    assertNull(s.putIfAbsent(b("a"), v("1")));
    assertArrayEquals(v("1"), s.putIfAbsent(b("a"), v("2")));
    s.commit(Map.of());
    assertArrayEquals(v("1"), s.putIfAbsent(b("a"), v("3")));
    s.putAll(List.of(KeyValue.pair(b("b"), v("x")), KeyValue.pair(b("a"), null), KeyValue.pair(b("c"), v("y"))));
    assertNull(s.get(b("a")));
    assertArrayEquals(v("x"), s.delete(b("b")));
    assertNull(s.delete(b("b")));
    s.put(b("c"), null);
    assertNull(s.get(b("c")));
    s.commit(Map.of());
    s.database().compact();
    assertEquals(0, s.approximateNumEntries());
    s.close();
  }

  private static void assertBetween(long lo, long hi, long actual, String what) {
    assertTrue(actual >= lo && actual <= hi, what + ": " + actual + " not in [" + lo + ", " + hi + "]");
  }

  /**
   * approximateNumEntries answers from counts (no scan): exact once the writes are committed and
   * the tree drained; with writes uncommitted, off by at most their number (a put over an existing
   * key counts one more, a delete of an absent key one less); the committed view leaves them out.
   */
  @Test
  void approximateNumEntriesIsExactWhenSettledAndWithinTheUncommittedWritesOtherwise() {
    SapwoodKeyValueStore s = open(new TestStoreContext(dir.toFile()));
    assertEquals(0, s.approximateNumEntries());
    for (int i = 0; i < 3000; i++) {
      s.put(b("k" + i), v("v" + i));
    }
    assertBetween(0, 3000, s.approximateNumEntries(), "uncommitted puts of new keys");
    s.commit(Map.of(CHANGELOG, 2999L));
    s.database().compact();
    assertEquals(3000, s.approximateNumEntries());
    for (int i = 0; i < 100; i++) {
      s.put(b("new" + i), v("x")); // +100
      s.put(b("k" + i), v("over")); // counted one too many each
      s.delete(b("k" + (1000 + i))); // -100
      s.delete(b("absent" + i)); // counted one too few each
    }
    long exact = 3000;
    int pendingWrites = 400;
    assertBetween(exact - pendingWrites, exact + pendingWrites, s.approximateNumEntries(), "uncommitted mix");
    assertEquals(3000, s.readOnly(IsolationLevel.READ_COMMITTED).approximateNumEntries());
    s.commit(Map.of(CHANGELOG, 3399L));
    s.database().compact();
    assertEquals(exact, s.approximateNumEntries());
    s.close();
  }

  /** Random puts, deletes, updates and commits against a TreeMap; every read kind compared. */
  @Test
  void randomOperationsMatchASortedMapThroughEveryReadKind() {
    long seed = System.nanoTime();
    System.out.println("randomOperationsMatchASortedMapThroughEveryReadKind seed=" + seed);
    Random rnd = new Random(seed);
    SapwoodKeyValueStore s = open(new TestStoreContext(dir.toFile()));
    TreeMap<Bytes, byte[]> model = new TreeMap<>();
    for (int step = 0; step < 1500; step++) {
      Bytes k = randomKey(rnd);
      int op = rnd.nextInt(100);
      if (op < 50) {
        byte[] val = v("v" + step);
        s.put(k, val);
        model.put(k, val);
      } else if (op < 65) {
        s.delete(k);
        model.remove(k);
      } else if (op < 80) {
        long delta = rnd.nextInt(10);
        s.update(k, UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(delta));
        byte[] old = model.get(k);
        try { // a function that throws is skipped, by the tree and by the store alike
          model.put(k, UpdateFunctions.ADD_LONG.apply(k.get(), old, UpdateFunctions.fromLong(delta)));
        } catch (RuntimeException skipped) {
          // the value stays
        }
      } else if (op < 83) {
        s.commit(Map.of(CHANGELOG, (long) step));
      } else {
        Bytes a = randomKey(rnd);
        Bytes z = randomKey(rnd);
        if (a.compareTo(z) > 0) {
          Bytes t = a;
          a = z;
          z = t;
        }
        assertSame(model.subMap(a, true, z, true), s.range(a, z), seed);
        assertSame(model.subMap(a, true, z, true).descendingMap(), s.reverseRange(a, z), seed);
        assertSame(model.headMap(z, true), s.range(null, z), seed);
        assertSame(model.tailMap(a, true).descendingMap(), s.reverseRange(a, null), seed);
        String prefix = new String(a.get(), 0, Math.min(2, a.get().length), UTF_8);
        Bytes p = b(prefix);
        TreeMap<Bytes, byte[]> byPrefix = new TreeMap<>();
        model.forEach((key, val) -> {
          if (new String(key.get(), UTF_8).startsWith(prefix)) {
            byPrefix.put(key, val);
          }
        });
        assertSame(byPrefix, s.prefixScan(prefix, Serdes.String().serializer()), seed);
        assertArraysEqual(model.get(p), s.get(p), seed);
      }
    }
    assertSame(model, s.all(), seed);
    assertSame(model.descendingMap(), s.reverseAll(), seed);
    s.commit(Map.of(CHANGELOG, 1500L));
    s.close();
    SapwoodKeyValueStore again = open(new TestStoreContext(dir.toFile()));
    assertSame(model, again.all(), seed);
    again.close();
  }

  private static Bytes randomKey(Random rnd) {
    return b("k" + (char) ('a' + rnd.nextInt(4)) + rnd.nextInt(200));
  }

  private static void assertArraysEqual(byte[] want, byte[] got, long seed) {
    assertTrue(Arrays.equals(want, got), "seed " + seed);
  }

  private static void assertSame(Map<Bytes, byte[]> want, KeyValueIterator<Bytes, byte[]> it, long seed) {
    List<String> got = new ArrayList<>();
    try (it) {
      while (it.hasNext()) {
        Bytes peek = it.peekNextKey();
        KeyValue<Bytes, byte[]> kv = it.next();
        assertEquals(peek, kv.key);
        got.add(kv.key + "=" + Arrays.toString(kv.value));
      }
    }
    List<String> expected = new ArrayList<>();
    want.forEach((k, val) -> expected.add(k + "=" + Arrays.toString(val)));
    assertEquals(expected, got, "seed " + seed);
  }

  @Test
  void invertedRangeIsEmptyAndPrefixOfFfBytesRunsToTheEnd() {
    SapwoodKeyValueStore s = open(new TestStoreContext(dir.toFile()));
    s.put(Bytes.wrap(new byte[] {(byte) 0xFF, 1}), v("1"));
    s.put(Bytes.wrap(new byte[] {(byte) 0xFE}), v("2"));
    try (var it = s.range(b("z"), b("a"))) {
      assertFalse(it.hasNext());
    }
    try (var it = s.prefixScan(Bytes.wrap(new byte[] {(byte) 0xFF}), Serdes.Bytes().serializer())) {
      assertTrue(it.hasNext());
      assertEquals(Bytes.wrap(new byte[] {(byte) 0xFF, 1}), it.next().key);
      assertFalse(it.hasNext());
    }
    s.close();
  }

  @Test
  void passingTheUncommittedLimitWritesEarlyAndForgetsTheOffsets() {
    TestStoreContext ctx = new TestStoreContext(dir.toFile());
    ctx.configs.put(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG, 10_000L);
    SapwoodKeyValueStore s = open(ctx);
    s.put(b("first"), v("1"));
    s.commit(Map.of(CHANGELOG, 5L));
    assertEquals(5L, s.committedOffset(CHANGELOG));
    for (int i = 0; i < 200; i++) {
      s.put(b("k" + i), new byte[100]);
    }
    assertNull(s.committedOffset(CHANGELOG), "spilled data is not covered by the old offsets");
    assertTrue(s.approximateNumUncommittedBytes() < 10_000);
    s.close(); // a crash here: no offsets on disk, data ahead of them would otherwise be trusted
    SapwoodKeyValueStore again = open(new TestStoreContext(dir.toFile()));
    assertNull(again.committedOffset(CHANGELOG));
    again.commit(Map.of(CHANGELOG, 300L));
    again.close();
    SapwoodKeyValueStore third = open(new TestStoreContext(dir.toFile()));
    assertEquals(300L, third.committedOffset(CHANGELOG));
    third.close();
  }

  @Test
  void restoreWritesBatchesAndTheNextCommitMakesThemDurable() {
    TestStoreContext ctx = new TestStoreContext(dir.toFile());
    SapwoodKeyValueStore s = open(ctx);
    BatchingStateRestoreCallback cb = (BatchingStateRestoreCallback) ctx.restoreCallback;
    List<KeyValue<byte[], byte[]>> batch = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      batch.add(KeyValue.pair(v("k" + i), v("v" + i)));
    }
    batch.add(KeyValue.pair(v("k7"), null));
    cb.restoreAll(batch);
    assertNull(s.get(b("k7")));
    assertArrayEquals(v("v8"), s.get(b("k8")));
    long checkpoints = s.stats().get("checkpoint.count");
    s.commit(Map.of(CHANGELOG, 5000L));
    assertTrue(s.stats().get("checkpoint.count") > checkpoints, "the commit after a restore checkpoints");
    s.close();
    SapwoodKeyValueStore again = open(new TestStoreContext(dir.toFile()));
    again.database().compact();
    assertEquals(4999, again.approximateNumEntries());
    assertEquals(5000L, again.committedOffset(CHANGELOG));
    again.close();
  }

  @Test
  void blindUpdatesAddUpAcrossCommitsAndReopen() {
    SapwoodKeyValueStore s = open(new TestStoreContext(dir.toFile()));
    for (int i = 0; i < 10; i++) {
      s.update(b("n"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(1));
      if (i == 4) {
        s.commit(Map.of(CHANGELOG, 4L));
      }
    }
    assertEquals(10, UpdateFunctions.toLong(s.get(b("n"))));
    s.commit(Map.of(CHANGELOG, 9L));
    s.close();
    SapwoodKeyValueStore again = open(new TestStoreContext(dir.toFile()));
    assertEquals(10, UpdateFunctions.toLong(again.get(b("n"))));
    again.close();
  }

  @Test
  void interactiveQueriesAnswerKeyAndRangeQueriesWithThePosition() {
    TestStoreContext ctx = new TestStoreContext(dir.toFile());
    SapwoodKeyValueStore s = open(ctx);
    ctx.record("input", 0, 41);
    s.put(b("a"), v("1"));
    ctx.record("input", 0, 42);
    s.put(b("b"), v("2"));
    QueryResult<byte[]> r = s.query(KeyQuery.withKey(b("a")), PositionBound.unbounded(), new QueryConfig(false));
    assertTrue(r.isSuccess());
    assertArrayEquals(v("1"), r.getResult());
    assertEquals(Position.emptyPosition().withComponent("input", 0, 42), r.getPosition());
    QueryResult<KeyValueIterator<Bytes, byte[]>> range =
        s.query(RangeQuery.<Bytes, byte[]>withRange(b("a"), b("z")).withDescendingKeys(), PositionBound.unbounded(),
            new QueryConfig(true));
    List<Bytes> keys = new ArrayList<>();
    try (var it = range.getResult()) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    assertEquals(List.of(b("b"), b("a")), keys);
    QueryResult<byte[]> ahead = s.query(KeyQuery.withKey(b("a")),
        PositionBound.at(Position.emptyPosition().withComponent("input", 0, 43)), new QueryConfig(false));
    assertEquals(FailureReason.NOT_UP_TO_BOUND, ahead.getFailureReason());
    QueryResult<byte[]> committedOnly = s.query(KeyQuery.withKey(b("a")), PositionBound.unbounded(),
        new QueryConfig(false, IsolationLevel.READ_COMMITTED));
    assertNull(committedOnly.getResult());
    s.commit(Map.of(CHANGELOG, 1L));
    s.close();
    SapwoodKeyValueStore again = open(new TestStoreContext(dir.toFile()));
    assertEquals(Position.emptyPosition().withComponent("input", 0, 42), again.getPosition());
    again.close();
  }

  @Test
  void closingTheStoreClosesItsOpenIterators() {
    SapwoodKeyValueStore s = open(new TestStoreContext(dir.toFile()));
    s.put(b("a"), v("1"));
    KeyValueIterator<Bytes, byte[]> it = s.all();
    s.close();
    assertThrows(IllegalStateException.class, it::hasNext);
  }

  @Test
  void aStoreOpenedInAnotherFormatIsRefused() {
    KeyValueStore<Bytes, byte[]> plain = SapwoodStores.keyValueStore("counts", SMALL).get();
    plain.init(new TestStoreContext(dir.toFile()), plain);
    plain.close();
    KeyValueStore<Bytes, byte[]> ts = SapwoodStores.timestampedKeyValueStore("counts", SMALL).get();
    assertThrows(ProcessorStateException.class, () -> ts.init(new TestStoreContext(dir.toFile()), ts));
    assertFalse(ts.isOpen());
    KeyValueStore<Bytes, byte[]> again = SapwoodStores.keyValueStore("counts", SMALL).get();
    again.init(new TestStoreContext(dir.toFile()), again); // the refused open released the directory
    assertTrue(again.isOpen());
    again.close();
  }
}
