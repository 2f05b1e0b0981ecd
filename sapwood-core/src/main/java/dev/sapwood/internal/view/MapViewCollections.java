package dev.sapwood.internal.view;

import dev.sapwood.Codec;
import dev.sapwood.Tree;
import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The entry set and values collection of a {@link MapView}, the write-through entries of the entry
 * set's iterator, and the one iterator adapter every view's iterator is built from. Both
 * collections are live (backed by the tree), their iterators weakly consistent with {@code
 * remove()} support.
 */
final class MapViewCollections {
  private MapViewCollections() {}

  /** {@code raw}'s elements mapped by {@code f}; {@code remove()} removes from the tree. */
  static <T> Iterator<T> mapped(Iterator<Raw> raw, Function<Raw, T> f) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return raw.hasNext();
      }

      @Override
      public T next() {
        return f.apply(raw.next());
      }

      @Override
      public void remove() {
        raw.remove();
      }
    };
  }

  /** {@link MapView#entrySet()}. */
  static final class Entries<K, V> extends AbstractSet<Map.Entry<K, V>> {
    private final MapView<K, V> map;

    Entries(MapView<K, V> map) {
      this.map = map;
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
      return map.entryIterator();
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
      if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
        return false;
      }
      V v;
      try {
        v = map.get(e.getKey());
      } catch (ClassCastException wrongType) {
        return false;
      }
      return v != null && v.equals(e.getValue());
    }

    @Override
    public boolean remove(Object o) {
      if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
        return false;
      }
      try {
        return map.remove(e.getKey(), e.getValue());
      } catch (ClassCastException wrongType) {
        return false;
      }
    }

    @Override
    public void clear() {
      map.clear();
    }
  }

  /**
   * An entry of {@link MapView#entrySet()}'s iterator: {@code setValue} writes the new value to the
   * tree (and into this entry), and returns the entry's previous value; null is refused.
   */
  static final class WriteThroughEntry<K, V> extends AbstractMap.SimpleEntry<K, V> {
    private static final long serialVersionUID = 1L;

    private final Tree tree;
    private final Codec<K> keys;
    private final Codec<V> values;

    WriteThroughEntry(Tree tree, Codec<K> keys, Codec<V> values, Raw r) {
      super(keys.decode(r.key()), values.decode(r.value()));
      this.tree = tree;
      this.keys = keys;
      this.values = values;
    }

    @Override
    public V setValue(V value) {
      V old = super.setValue(Objects.requireNonNull(value, "value"));
      tree.put(keys.encode(getKey()), values.encode(value));
      return old;
    }
  }

  /** {@link MapView#values()}. */
  static final class Values<K, V> extends AbstractCollection<V> {
    private final MapView<K, V> map;

    Values(MapView<K, V> map) {
      this.map = map;
    }

    @Override
    public Iterator<V> iterator() {
      return map.valueIterator();
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public void clear() {
      map.clear();
    }
  }
}
