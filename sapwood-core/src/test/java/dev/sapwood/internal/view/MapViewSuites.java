package dev.sapwood.internal.view;

import com.google.common.collect.testing.ConcurrentNavigableMapTestSuiteBuilder;
import com.google.common.collect.testing.SampleElements;
import com.google.common.collect.testing.TestSortedMapGenerator;
import com.google.common.collect.testing.TestStringSortedMapGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.MapFeature;
import dev.sapwood.Codec;
import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.internal.engine.TestSeams;
import dev.sapwood.internal.io.MemoryFileIo;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.SortedMap;
import junit.extensions.TestSetup;
import junit.framework.Test;
import junit.framework.TestSuite;

/**
 * Guava's collection test suites ({@link ConcurrentNavigableMapTestSuiteBuilder}, which runs every
 * NavigableMap, SortedMap, Map and ConcurrentMap tester, over the map itself, its sub-maps, head
 * and tail maps, descending map, key set, entry set and values) against {@code Tree.asMap} with
 * {@code (STRING, STRING)} and {@code (LONG, STRING)}. JUnit 3 style, run by the vintage engine.
 *
 * <p>Each generated test makes its map in the one tree of an in-memory database per suite, emptied
 * first (the tests run one at a time).
 *
 * <p>Suppressed tests: none (every generated test passes).
 */
public final class MapViewSuites {
  private MapViewSuites() {}

  public static Test suite() {
    TestSuite all = new TestSuite("Tree.asMap");
    all.addTest(stringSuite());
    all.addTest(longSuite());
    return all;
  }

  /** Features of the view: a general-purpose, ordered map without nulls, weakly consistent. */
  private static final Object[] FEATURES = {
      MapFeature.GENERAL_PURPOSE,
      CollectionFeature.SUPPORTS_ITERATOR_REMOVE,
      CollectionFeature.KNOWN_ORDER,
      CollectionSize.ANY,
  };

  private static Test stringSuite() {
    Trees trees = new Trees("strings");
    Test t = ConcurrentNavigableMapTestSuiteBuilder.using(new TestStringSortedMapGenerator() {
          @Override
          protected SortedMap<String, String> create(Entry<String, String>[] entries) {
            Map<String, String> m = trees.next().asMap(Codec.STRING, Codec.STRING);
            for (Entry<String, String> e : entries) {
              m.put(e.getKey(), e.getValue());
            }
            return (SortedMap<String, String>) m;
          }
        })
        .named("asMap[STRING, STRING]")
        .withFeatures(features())
        .suppressing(suppressed())
        .createTestSuite();
    return trees.closingAfter(t);
  }

  private static Test longSuite() {
    Trees trees = new Trees("longs");
    Test t = ConcurrentNavigableMapTestSuiteBuilder.using(new LongMapGenerator(trees))
        .named("asMap[LONG, STRING]")
        .withFeatures(features())
        .suppressing(suppressed())
        .createTestSuite();
    return trees.closingAfter(t);
  }

  private static List<com.google.common.collect.testing.features.Feature<?>> features() {
    List<com.google.common.collect.testing.features.Feature<?>> f = new ArrayList<>();
    for (Object o : FEATURES) {
      f.add((com.google.common.collect.testing.features.Feature<?>) o);
    }
    return f;
  }

  /** Tests that do not apply, each with the reason. */
  private static Collection<Method> suppressed() {
    return List.of();
  }

  /** One in-memory database per suite; each map gets a fresh tree, the previous one is dropped. */
  static final class Trees {
    private final Database db;
    private int count;

    Trees(String name) {
      db = TestSeams.open(Path.of("/mem/" + name), Options.defaults().durability(Durability.NONE)
          .cacheSize(8 << 20).nodeSize(64 << 10).basementSize(4 << 10).fanout(8)
          .checkpointInterval(Duration.ofDays(1)), new MemoryFileIo());
    }

    synchronized Tree next() {
      // One tree, emptied for each map: far cheaper than creating and dropping a tree each time.
      Tree t = db.tree("map");
      try (Cursor c = t.cursor()) {
        for (boolean ok = c.first(); ok; ok = c.next()) {
          t.delete(c.key());
        }
      }
      if (++count % 1000 == 0) {
        db.checkpoint(); // bounds the in-memory file and the log
      }
      return t;
    }

    Test closingAfter(Test t) {
      return new TestSetup(t) {
        @Override
        protected void tearDown() {
          db.close();
        }
      };
    }
  }

  /** Long keys, negatives among them, with String values. */
  static final class LongMapGenerator implements TestSortedMapGenerator<Long, String> {
    private final Trees trees;

    LongMapGenerator(Trees trees) {
      this.trees = trees;
    }

    @Override
    public SampleElements<Entry<Long, String>> samples() {
      return new SampleElements<>(Map.entry(-7L, "minus seven"), Map.entry(-1L, "minus one"),
          Map.entry(0L, "zero"), Map.entry(3L, "three"), Map.entry(Long.MAX_VALUE / 2, "big"));
    }

    @Override
    public SortedMap<Long, String> create(Object... entries) {
      Map<Long, String> m = trees.next().asMap(Codec.LONG, Codec.STRING);
      for (Object o : entries) {
        @SuppressWarnings("unchecked")
        Entry<Long, String> e = (Entry<Long, String>) o;
        m.put(e.getKey(), e.getValue());
      }
      return (SortedMap<Long, String>) m;
    }

    @SuppressWarnings("unchecked")
    @Override
    public Entry<Long, String>[] createArray(int length) {
      return (Entry<Long, String>[]) new Entry<?, ?>[length];
    }

    @Override
    public Iterable<Entry<Long, String>> order(List<Entry<Long, String>> insertionOrder) {
      List<Entry<Long, String>> sorted = new ArrayList<>(insertionOrder);
      sorted.sort(Entry.comparingByKey(Comparator.naturalOrder()));
      return sorted;
    }

    @Override
    public Long[] createKeyArray(int length) {
      return new Long[length];
    }

    @Override
    public String[] createValueArray(int length) {
      return new String[length];
    }

    @Override
    public Entry<Long, String> belowSamplesLesser() {
      return Map.entry(Long.MIN_VALUE, "min");
    }

    @Override
    public Entry<Long, String> belowSamplesGreater() {
      return Map.entry(-100L, "minus hundred");
    }

    @Override
    public Entry<Long, String> aboveSamplesLesser() {
      return Map.entry(Long.MAX_VALUE - 1, "max - 1");
    }

    @Override
    public Entry<Long, String> aboveSamplesGreater() {
      return Map.entry(Long.MAX_VALUE, "max");
    }
  }
}
