package dev.sapwood.internal.view;

import dev.sapwood.Codec;
import dev.sapwood.Database;
import dev.sapwood.Cursor;
import dev.sapwood.Tree;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;

/**
 * {@link Tree#asMap}: a {@link ConcurrentNavigableMap} backed by a tree, optionally bounded to a
 * key range and in descending order (its sub-maps and descending views are more of these). Every
 * call reads or writes the tree; nothing is cached or copied.
 *
 * <p>Bounds are kept as encoded keys in ascending terms ({@link Bounds}); a descending view swaps
 * the meaning of first/last, higher/lower, ceiling/floor. Lookups go through a {@link
 * RangeNavigator}, iteration through a {@link RangeIterator} and read-then-write operations through
 * a {@link ReadThenWrite}; this class encodes, decodes, checks the range and delegates.
 *
 * <p>Consistency: single reads and writes are the tree's own, atomic. Iterators walk a {@link
 * Cursor}, so they are weakly consistent (they never throw {@code
 * ConcurrentModificationException}); their {@code remove()} deletes the last key returned. The
 * read-then-write operations ({@code put} returning the old value, {@code remove}, {@code
 * putIfAbsent}, {@code replace}, {@code remove(key, value)}, {@code poll*}, and the {@code
 * ConcurrentMap} defaults built on them) live in {@link ReadThenWrite}: they hold a lock shared by
 * every view of the same tree, so they are atomic against each other, but not against writes made
 * through the {@link Tree} directly. A cursor holds no latch or other resource between calls, so an
 * iterator that is dropped before its end leaks nothing.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class MapView<K, V> extends AbstractMap<K, V> implements ConcurrentNavigableMap<K, V> {
  private final Tree tree;
  private final Codec<K> keys;
  private final Codec<V> values;
  private final ReadThenWrite<V> writes;
  private final Bounds bounds;
  private final boolean descending;
  private final RangeNavigator nav;

  private MapView(Tree tree, Codec<K> keys, Codec<V> values, ReadThenWrite<V> writes, Bounds bounds, boolean descending) {
    this.tree = tree;
    this.keys = keys;
    this.values = values;
    this.writes = writes;
    this.bounds = bounds;
    this.descending = descending;
    this.nav = new RangeNavigator(tree, bounds);
  }

  /** The whole tree as a map. */
  public static <K, V> MapView<K, V> of(Database db, Tree tree, Codec<K> keys, Codec<V> values) {
    Objects.requireNonNull(tree, "tree");
    Objects.requireNonNull(keys, "key codec");
    Objects.requireNonNull(values, "value codec");
    return new MapView<>(tree, keys, values, new ReadThenWrite<>(db, tree, values), Bounds.ALL, false);
  }

  // ---- the range and its direction (Bounds, RangeNavigator, RangeIterator) ----

  // Directions in this view's order, for navigate.
  private static final boolean UP = true;
  private static final boolean DOWN = false;

  /** The nearest entry to {@code key} going up or down in this view's order; null if none. */
  private Raw navigate(K key, boolean up, boolean incl) {
    return nav.near(encodeKey(key), up != descending, incl);
  }

  /** The first entry in this view's order going up (its first) or down (its last); null if empty. */
  private Raw edge(boolean up) {
    return nav.edge(up != descending);
  }

  private RangeIterator rangeIterator() {
    return new RangeIterator(tree, bounds, !descending);
  }

  // ---- encoding ----

  @SuppressWarnings("unchecked")
  private byte[] encodeKey(Object key) {
    Objects.requireNonNull(key, "key");
    return keys.encode((K) key); // a key of another type: ClassCastException, as Map allows
  }

  private byte[] encodeValue(V value) {
    Objects.requireNonNull(value, "value");
    return values.encode(value);
  }

  private byte[] checkedKey(K key) {
    byte[] k = encodeKey(key);
    if (!bounds.contains(k)) {
      throw new IllegalArgumentException("key out of the range of this map");
    }
    return k;
  }

  private Map.Entry<K, V> entry(Raw r) {
    return r == null ? null : new AbstractMap.SimpleImmutableEntry<>(keys.decode(r.key()), values.decode(r.value()));
  }

  private K key(Raw r) {
    return r == null ? null : keys.decode(r.key());
  }

  private static <T> T orThrow(T t) {
    if (t == null) {
      throw new NoSuchElementException();
    }
    return t;
  }

  // ---- Map ----

  @Override
  public V get(Object key) {
    byte[] k = encodeKey(key);
    if (!bounds.contains(k)) {
      return null;
    }
    byte[] v = tree.get(k);
    return v == null ? null : values.decode(v);
  }

  @Override
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  @Override
  public boolean containsValue(Object value) {
    Objects.requireNonNull(value, "value");
    for (V v : values()) {
      if (value.equals(v)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public V put(K key, V value) {
    byte[] k = checkedKey(key);
    byte[] v = encodeValue(value);
    return writes.put(k, v);
  }

  @Override
  public V remove(Object key) {
    byte[] k = encodeKey(key);
    if (!bounds.contains(k)) {
      return null;
    }
    return writes.remove(k);
  }

  @Override
  public int size() {
    long n = 0;
    for (Iterator<Raw> it = rangeIterator(); it.hasNext(); it.next()) {
      n++;
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  @Override
  public boolean isEmpty() {
    return nav.edge(true) == null;
  }

  @Override
  public void clear() {
    for (RangeIterator it = rangeIterator(); it.hasNext(); ) {
      it.next();
      it.remove();
    }
  }

  // ---- ConcurrentMap ----

  @Override
  public V putIfAbsent(K key, V value) {
    byte[] k = checkedKey(key);
    byte[] v = encodeValue(value);
    return writes.putIfAbsent(k, v);
  }

  @Override
  public boolean remove(Object key, Object value) {
    Objects.requireNonNull(key, "key");
    if (value == null) {
      return false;
    }
    byte[] k = encodeKey(key);
    if (!bounds.contains(k)) {
      return false;
    }
    return writes.remove(k, value);
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    Objects.requireNonNull(oldValue, "oldValue");
    byte[] k = checkedKey(key);
    byte[] v = encodeValue(newValue);
    return writes.replace(k, oldValue, v);
  }

  @Override
  public V replace(K key, V value) {
    byte[] k = checkedKey(key);
    byte[] v = encodeValue(value);
    return writes.replace(k, v);
  }

  // ---- SortedMap / NavigableMap ----

  @Override
  public Comparator<? super K> comparator() {
    Comparator<K> byBytes = (a, b) -> Bounds.cmp(keys.encode(a), keys.encode(b));
    return descending ? byBytes.reversed() : byBytes;
  }

  @Override
  public K firstKey() {
    return orThrow(key(edge(UP)));
  }

  @Override
  public K lastKey() {
    return orThrow(key(edge(DOWN)));
  }

  @Override
  public Map.Entry<K, V> firstEntry() {
    return entry(edge(UP));
  }

  @Override
  public Map.Entry<K, V> lastEntry() {
    return entry(edge(DOWN));
  }

  @Override
  public Map.Entry<K, V> pollFirstEntry() {
    return poll(UP);
  }

  @Override
  public Map.Entry<K, V> pollLastEntry() {
    return poll(DOWN);
  }

  private Map.Entry<K, V> poll(boolean up) {
    return entry(writes.poll(nav, up != descending));
  }

  @Override
  public Map.Entry<K, V> lowerEntry(K key) {
    return entry(navigate(key, DOWN, false));
  }

  @Override
  public K lowerKey(K key) {
    return key(navigate(key, DOWN, false));
  }

  @Override
  public Map.Entry<K, V> floorEntry(K key) {
    return entry(navigate(key, DOWN, true));
  }

  @Override
  public K floorKey(K key) {
    return key(navigate(key, DOWN, true));
  }

  @Override
  public Map.Entry<K, V> ceilingEntry(K key) {
    return entry(navigate(key, UP, true));
  }

  @Override
  public K ceilingKey(K key) {
    return key(navigate(key, UP, true));
  }

  @Override
  public Map.Entry<K, V> higherEntry(K key) {
    return entry(navigate(key, UP, false));
  }

  @Override
  public K higherKey(K key) {
    return key(navigate(key, UP, false));
  }

  @Override
  public MapView<K, V> descendingMap() {
    return new MapView<>(tree, keys, values, writes, bounds, !descending);
  }

  @Override
  public NavigableSet<K> navigableKeySet() {
    return new KeySetView<>(this);
  }

  @Override
  public NavigableSet<K> keySet() {
    return navigableKeySet();
  }

  @Override
  public NavigableSet<K> descendingKeySet() {
    return descendingMap().navigableKeySet();
  }

  @Override
  public MapView<K, V> subMap(K fromKey, boolean fromInclusive, K toKey, boolean toInclusive) {
    return narrowed(encodeKey(fromKey), fromInclusive, encodeKey(toKey), toInclusive);
  }

  @Override
  public MapView<K, V> headMap(K toKey, boolean inclusive) {
    return narrowed(null, false, encodeKey(toKey), inclusive);
  }

  @Override
  public MapView<K, V> tailMap(K fromKey, boolean inclusive) {
    return narrowed(encodeKey(fromKey), inclusive, null, false);
  }

  @Override
  public MapView<K, V> subMap(K fromKey, K toKey) {
    return subMap(fromKey, true, toKey, false);
  }

  @Override
  public MapView<K, V> headMap(K toKey) {
    return headMap(toKey, false);
  }

  @Override
  public MapView<K, V> tailMap(K fromKey) {
    return tailMap(fromKey, true);
  }

  /** This view narrowed to from..to in its own order (null: keep this view's bound); see {@link Bounds#sub}. */
  private MapView<K, V> narrowed(byte[] from, boolean fromIncl, byte[] to, boolean toIncl) {
    return new MapView<>(tree, keys, values, writes, bounds.sub(from, fromIncl, to, toIncl, descending), descending);
  }

  // ---- collection views (MapViewCollections) ----

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new MapViewCollections.Entries<>(this);
  }

  @Override
  public Collection<V> values() {
    return new MapViewCollections.Values<>(this);
  }

  /** Keys in this view's order, for {@link KeySetView}. */
  Iterator<K> keyIterator() {
    return MapViewCollections.mapped(rangeIterator(), r -> keys.decode(r.key()));
  }

  /** Entries in this view's order; {@code setValue} on one writes to the tree. */
  Iterator<Map.Entry<K, V>> entryIterator() {
    return MapViewCollections.mapped(
        rangeIterator(), r -> new MapViewCollections.WriteThroughEntry<>(tree, keys, values, r));
  }

  /** Values in this view's key order. */
  Iterator<V> valueIterator() {
    return MapViewCollections.mapped(rangeIterator(), r -> values.decode(r.value()));
  }
}
