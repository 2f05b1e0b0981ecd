package dev.sapwood.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Options;
import dev.sapwood.UpdateFunctions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store's iterators are snapshots: whatever is written, committed or spilled while one is open,
 * it returns the store as it was when it was made, and closing it (or the store) closes its
 * Sapwood snapshot.
 */
class SnapshotIteratorTest {
  private static final TopicPartition CHANGELOG = new TopicPartition("app-counts-changelog", 0);
  private static final Options SMALL = Options.defaults().cacheSize(4 << 20).nodeSize(64 << 10).basementSize(4 << 10);

  @TempDir
  Path dir;

  private SapwoodKeyValueStore open() {
    SapwoodKeyValueStore s = (SapwoodKeyValueStore) SapwoodStores.keyValueStore("counts", SMALL).get();
    s.init(new TestStoreContext(dir.toFile()), s);
    return s;
  }

  private static Bytes key(int i) {
    return Bytes.wrap(String.format("k%05d", i).getBytes(UTF_8));
  }

  private static byte[] val(String s) {
    return s.getBytes(UTF_8);
  }

  private static Map<Bytes, String> drain(KeyValueIterator<Bytes, byte[]> it, List<KeyValue<Bytes, byte[]>> head) {
    Map<Bytes, String> m = new TreeMap<>();
    for (KeyValue<Bytes, byte[]> kv : head) {
      m.put(kv.key, new String(kv.value, UTF_8));
    }
    while (it.hasNext()) {
      KeyValue<Bytes, byte[]> kv = it.next();
      m.put(kv.key, new String(kv.value, UTF_8));
    }
    it.close();
    return m;
  }

  /** Writes of every kind, committed and not, while iterators of every kind are part-way through. */
  @Test
  void writesMadeDuringIterationAreNotSeen() {
    long seed = new Random().nextLong();
    System.out.println("SnapshotIteratorTest seed " + seed);
    Random rnd = new Random(seed);
    SapwoodKeyValueStore s = open();
    TreeMap<Bytes, String> model = new TreeMap<>();
    for (int i = 0; i < 3000; i += 2) {
      s.put(key(i), val("c" + i));
      model.put(key(i), "c" + i);
    }
    s.commit(Map.of(CHANGELOG, 1L));
    for (int i = 1; i < 3000; i += 10) { // uncommitted writes, seen by the iterators made now
      s.put(key(i), val("p" + i));
      model.put(key(i), "p" + i);
    }
    s.delete(key(4));
    model.remove(key(4));

    List<Supplier<KeyValueIterator<Bytes, byte[]>>> kinds = List.of(s::all, s::reverseAll,
        () -> s.range(key(100), key(2500)), () -> s.reverseRange(key(100), key(2500)),
        () -> s.prefixScan("k01", Serdes.String().serializer()));
    List<Map<Bytes, String>> want = List.of(model, model, model.subMap(key(100), true, key(2500), true),
        model.subMap(key(100), true, key(2500), true), model.subMap(key(1000), true, key(2000), false));
    List<KeyValueIterator<Bytes, byte[]>> its = new ArrayList<>();
    List<List<KeyValue<Bytes, byte[]>>> heads = new ArrayList<>();
    for (Supplier<KeyValueIterator<Bytes, byte[]>> k : kinds) {
      KeyValueIterator<Bytes, byte[]> it = k.get();
      List<KeyValue<Bytes, byte[]>> head = new ArrayList<>();
      for (int n = 0; n < 20 && it.hasNext(); n++) {
        head.add(it.next()); // the cursor has read its first chunk: the rest is read after the writes
      }
      its.add(it);
      heads.add(head);
    }
    for (int round = 0; round < 3; round++) {
      for (int n = 0; n < 2000; n++) {
        int i = rnd.nextInt(3100);
        switch (rnd.nextInt(3)) {
          case 0 -> s.put(key(i), val("new" + round));
          case 1 -> s.delete(key(i));
          default -> s.putAll(List.of(KeyValue.pair(key(i), val("all" + round)), KeyValue.pair(key(i + 1), null)));
        }
      }
      s.commit(Map.of(CHANGELOG, 2L + round));
    }
    for (int k = 0; k < kinds.size(); k++) {
      Map<Bytes, String> got = drain(its.get(k), heads.get(k));
      if (!want.get(k).equals(got)) {
        Bytes first = null;
        for (Bytes b : new java.util.TreeSet<>(java.util.stream.Stream.concat(want.get(k).keySet().stream(),
            got.keySet().stream()).toList())) {
          if (!java.util.Objects.equals(want.get(k).get(b), got.get(b))) {
            first = b;
            break;
          }
        }
        throw new AssertionError("iterator " + k + " (seed " + seed + "): first difference at " + first + ": want "
            + want.get(k).get(first) + ", got " + got.get(first) + "; sizes " + want.get(k).size() + " / " + got.size());
      }
    }
    assertEquals(0, s.stats().get("snapshots.open"), "every iterator's snapshot is closed");
    s.close();
  }

  /** A pending blind update applies to the value as of the snapshot, not the tree's later one. */
  @Test
  void aPendingBlindUpdateResolvesAgainstTheSnapshot() {
    SapwoodKeyValueStore s = open();
    for (int i = 0; i < 500; i++) {
      s.put(key(i), val("x"));
    }
    s.put(key(500), UpdateFunctions.fromLong(10));
    s.commit(Map.of(CHANGELOG, 1L));
    s.update(key(500), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(5));
    KeyValueIterator<Bytes, byte[]> it = s.all();
    s.update(key(500), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(100));
    s.commit(Map.of(CHANGELOG, 2L)); // the tree's value becomes 115
    s.put(key(500), UpdateFunctions.fromLong(1000));
    KeyValue<Bytes, byte[]> last = null;
    while (it.hasNext()) {
      last = it.next();
    }
    it.close();
    assertEquals(key(500), last.key);
    assertEquals(15, UpdateFunctions.toLong(last.value));
    assertEquals(1000, UpdateFunctions.toLong(s.get(key(500))));
    s.close();
  }

  @Test
  void closingAnIteratorClosesItsSnapshotAndClosingTheStoreClosesTheRest() {
    SapwoodKeyValueStore s = open();
    s.put(key(1), val("a"));
    s.commit(Map.of(CHANGELOG, 1L));
    KeyValueIterator<Bytes, byte[]> a = s.all();
    KeyValueIterator<Bytes, byte[]> b = s.reverseRange(key(0), key(5));
    KeyValueIterator<Bytes, byte[]> c = s.readOnly(IsolationLevel.READ_COMMITTED).all();
    assertEquals(3, s.stats().get("snapshots.open"));
    a.close();
    a.close(); // idempotent
    assertEquals(2, s.stats().get("snapshots.open"));
    assertEquals(2, s.openIteratorCount());
    s.close();
    assertEquals(0, s.openIteratorCount(), "the store closed its iterators, and with them their snapshots");
    assertThrows(IllegalStateException.class, b::hasNext);
    assertThrows(IllegalStateException.class, c::hasNext);
  }

  /**
   * A reader iterating the committed view while a writer commits rounds that rewrite every key
   * sees one round throughout (before snapshots, a commit between two chunks mixed rounds).
   */
  @Test
  void aConcurrentReaderSeesOneCommitWhole() throws Exception {
    SapwoodKeyValueStore s = open();
    int keys = 2000;
    for (int i = 0; i < keys; i++) {
      s.put(key(i), val("r0"));
    }
    s.commit(Map.of(CHANGELOG, 0L));
    ReadOnlyKeyValueStore<Bytes, byte[]> committed = s.readOnly(IsolationLevel.READ_COMMITTED);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    int[] scans = new int[1];
    Thread reader = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          try (KeyValueIterator<Bytes, byte[]> it = committed.all()) {
            String round = null;
            int n = 0;
            while (it.hasNext()) {
              String v = new String(it.next().value, UTF_8);
              if (round == null) {
                round = v;
              } else if (!round.equals(v)) {
                throw new AssertionError("entry " + n + " is of " + v + ", the first of " + round);
              }
              n++;
            }
            if (n != keys) {
              throw new AssertionError(n + " entries");
            }
          }
          scans[0]++;
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    reader.start();
    for (int round = 1; round <= 40 && failure.get() == null; round++) {
      for (int i = 0; i < keys; i++) {
        s.put(key(i), val("r" + round));
      }
      s.commit(Map.of(CHANGELOG, (long) round));
    }
    reader.interrupt();
    reader.join();
    if (failure.get() != null) {
      throw new AssertionError("after " + scans[0] + " whole scans", failure.get());
    }
    assertTrue(scans[0] > 0, "the reader finished a scan");
    s.close();
  }
}
