package dev.sapwood.internal.view;

import dev.sapwood.Codec;
import dev.sapwood.Cursor;
import dev.sapwood.Tree;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentNavigableMap;

/**
 * {@link Tree#asMap}: a {@link ConcurrentNavigableMap} backed by a tree, optionally bounded to a
 * key range and in descending order (its sub-maps and descending views are more of these). Every
 * call reads or writes the tree; nothing is cached or copied.
 *
 * <p>Bounds are kept as encoded keys in ascending terms ({@code lo}/{@code hi}, either null for
 * none); a descending view swaps the meaning of first/last, higher/lower, ceiling/floor.
 *
 * <p>Consistency: single reads and writes are the tree's own, atomic. Iterators walk a {@link
 * Cursor}, so they are weakly consistent (they never throw {@code
 * ConcurrentModificationException}); their {@code remove()} deletes the last key returned. The
 * read-then-write operations ({@code put} returning the old value, {@code remove}, {@code
 * putIfAbsent}, {@code replace}, {@code remove(key, value)}, {@code poll*}) hold a lock shared by
 * every view of the same tree, so they are atomic against each other, but not against writes made
 * through the {@link Tree} directly. A cursor holds no latch or other resource between calls, so an
 * iterator that is dropped before its end leaks nothing.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class MapView<K, V> extends AbstractMap<K, V> implements ConcurrentNavigableMap<K, V> {
  private static final Map<Tree, Object> LOCKS = new WeakHashMap<>();

  private final Tree tree;
  private final Codec<K> keys;
  private final Codec<V> values;
  private final Object lock;
  private final byte[] lo;
  private final boolean loIncl;
  private final byte[] hi;
  private final boolean hiIncl;
  private final boolean descending;

  private MapView(Tree tree, Codec<K> keys, Codec<V> values, Object lock, byte[] lo, boolean loIncl,
      byte[] hi, boolean hiIncl, boolean descending) {
    this.tree = tree;
    this.keys = keys;
    this.values = values;
    this.lock = lock;
    this.lo = lo;
    this.loIncl = loIncl;
    this.hi = hi;
    this.hiIncl = hiIncl;
    this.descending = descending;
  }

  /** The whole tree as a map. */
  public static <K, V> MapView<K, V> of(Tree tree, Codec<K> keys, Codec<V> values) {
    Objects.requireNonNull(tree, "tree");
    Objects.requireNonNull(keys, "key codec");
    Objects.requireNonNull(values, "value codec");
    Object lock;
    synchronized (LOCKS) {
      lock = LOCKS.computeIfAbsent(tree, t -> new Object());
    }
    return new MapView<>(tree, keys, values, lock, null, false, null, false, false);
  }

  // ---- bytes, bounds and the tree (ascending terms) ----

  static int cmp(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  // For RangeIterator: the tree and this view's bounds and direction.
  Tree tree() {
    return tree;
  }

  byte[] lo() {
    return lo;
  }

  byte[] hi() {
    return hi;
  }

  boolean loIncl() {
    return loIncl;
  }

  boolean hiIncl() {
    return hiIncl;
  }

  boolean descending() {
    return descending;
  }

  boolean tooLow(byte[] k) {
    if (lo == null) {
      return false;
    }
    int c = cmp(k, lo);
    return c < 0 || (c == 0 && !loIncl);
  }

  boolean tooHigh(byte[] k) {
    if (hi == null) {
      return false;
    }
    int c = cmp(k, hi);
    return c > 0 || (c == 0 && !hiIncl);
  }

  private boolean inBounds(byte[] k) {
    return !tooLow(k) && !tooHigh(k);
  }

  /** An entry read from the tree: encoded key and value. */
  record Raw(byte[] key, byte[] value) {}

  private static Raw at(Cursor c, boolean ok) {
    return ok ? new Raw(c.key(), c.value()) : null;
  }

  /** First entry with key >= k (> k when not inclusive), ignoring bounds. */
  private Raw rawCeiling(byte[] k, boolean incl) {
    try (Cursor c = tree.cursor()) {
      boolean ok = c.seek(k);
      if (ok && !incl && cmp(c.key(), k) == 0) {
        ok = c.next();
      }
      return at(c, ok);
    }
  }

  /** Last entry with key <= k (< k when not inclusive), ignoring bounds. */
  private Raw rawFloor(byte[] k, boolean incl) {
    try (Cursor c = tree.cursor()) {
      boolean ok;
      if (c.seek(k)) {
        ok = incl && cmp(c.key(), k) == 0 || c.prev();
      } else {
        ok = c.last();
      }
      return at(c, ok);
    }
  }

  private Raw lowestAsc() {
    Raw r;
    if (lo == null) {
      try (Cursor c = tree.cursor()) {
        r = at(c, c.first());
      }
    } else {
      r = rawCeiling(lo, loIncl);
    }
    return r == null || tooHigh(r.key) ? null : r;
  }

  private Raw highestAsc() {
    Raw r;
    if (hi == null) {
      try (Cursor c = tree.cursor()) {
        r = at(c, c.last());
      }
    } else {
      r = rawFloor(hi, hiIncl);
    }
    return r == null || tooLow(r.key) ? null : r;
  }

  private Raw ceilingAsc(byte[] k, boolean incl) {
    if (tooLow(k)) {
      return lowestAsc();
    }
    Raw r = rawCeiling(k, incl);
    return r == null || tooHigh(r.key) ? null : r;
  }

  private Raw floorAsc(byte[] k, boolean incl) {
    if (tooHigh(k)) {
      return highestAsc();
    }
    Raw r = rawFloor(k, incl);
    return r == null || tooLow(r.key) ? null : r;
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
    if (!inBounds(k)) {
      throw new IllegalArgumentException("key out of the range of this map");
    }
    return k;
  }

  private Map.Entry<K, V> entry(Raw r) {
    return r == null ? null : new AbstractMap.SimpleImmutableEntry<>(keys.decode(r.key), values.decode(r.value));
  }

  private K key(Raw r) {
    return r == null ? null : keys.decode(r.key);
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
    if (!inBounds(k)) {
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
    synchronized (lock) {
      byte[] old = tree.get(k);
      tree.put(k, v);
      return old == null ? null : values.decode(old);
    }
  }

  @Override
  public V remove(Object key) {
    byte[] k = encodeKey(key);
    if (!inBounds(k)) {
      return null;
    }
    synchronized (lock) {
      byte[] old = tree.get(k);
      if (old == null) {
        return null;
      }
      tree.delete(k);
      return values.decode(old);
    }
  }

  @Override
  public int size() {
    long n = 0;
    for (Iterator<Raw> it = new RangeIterator(this); it.hasNext(); it.next()) {
      n++;
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  @Override
  public boolean isEmpty() {
    return lowestAsc() == null;
  }

  @Override
  public void clear() {
    for (RangeIterator it = new RangeIterator(this); it.hasNext(); ) {
      it.next();
      it.remove();
    }
  }

  // ---- ConcurrentMap ----

  @Override
  public V putIfAbsent(K key, V value) {
    byte[] k = checkedKey(key);
    byte[] v = encodeValue(value);
    synchronized (lock) {
      byte[] old = tree.get(k);
      if (old != null) {
        return values.decode(old);
      }
      tree.put(k, v);
      return null;
    }
  }

  @Override
  public boolean remove(Object key, Object value) {
    Objects.requireNonNull(key, "key");
    if (value == null) {
      return false;
    }
    byte[] k = encodeKey(key);
    if (!inBounds(k)) {
      return false;
    }
    synchronized (lock) {
      byte[] old = tree.get(k);
      if (old == null || !values.decode(old).equals(value)) {
        return false;
      }
      tree.delete(k);
      return true;
    }
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    Objects.requireNonNull(oldValue, "oldValue");
    byte[] k = checkedKey(key);
    byte[] v = encodeValue(newValue);
    synchronized (lock) {
      byte[] old = tree.get(k);
      if (old == null || !values.decode(old).equals(oldValue)) {
        return false;
      }
      tree.put(k, v);
      return true;
    }
  }

  @Override
  public V replace(K key, V value) {
    byte[] k = checkedKey(key);
    byte[] v = encodeValue(value);
    synchronized (lock) {
      byte[] old = tree.get(k);
      if (old == null) {
        return null;
      }
      tree.put(k, v);
      return values.decode(old);
    }
  }

  // ---- SortedMap / NavigableMap ----

  @Override
  public Comparator<? super K> comparator() {
    Comparator<K> byBytes = (a, b) -> cmp(keys.encode(a), keys.encode(b));
    return descending ? byBytes.reversed() : byBytes;
  }

  @Override
  public K firstKey() {
    return orThrow(key(descending ? highestAsc() : lowestAsc()));
  }

  @Override
  public K lastKey() {
    return orThrow(key(descending ? lowestAsc() : highestAsc()));
  }

  @Override
  public Map.Entry<K, V> firstEntry() {
    return entry(descending ? highestAsc() : lowestAsc());
  }

  @Override
  public Map.Entry<K, V> lastEntry() {
    return entry(descending ? lowestAsc() : highestAsc());
  }

  @Override
  public Map.Entry<K, V> pollFirstEntry() {
    return poll(true);
  }

  @Override
  public Map.Entry<K, V> pollLastEntry() {
    return poll(false);
  }

  private Map.Entry<K, V> poll(boolean first) {
    synchronized (lock) {
      Raw r = first != descending ? lowestAsc() : highestAsc();
      if (r != null) {
        tree.delete(r.key);
      }
      return entry(r);
    }
  }

  private Raw ceilingRaw(K key, boolean incl) {
    byte[] k = encodeKey(key);
    return descending ? floorAsc(k, incl) : ceilingAsc(k, incl);
  }

  private Raw floorRaw(K key, boolean incl) {
    byte[] k = encodeKey(key);
    return descending ? ceilingAsc(k, incl) : floorAsc(k, incl);
  }

  @Override
  public Map.Entry<K, V> lowerEntry(K key) {
    return entry(floorRaw(key, false));
  }

  @Override
  public K lowerKey(K key) {
    return key(floorRaw(key, false));
  }

  @Override
  public Map.Entry<K, V> floorEntry(K key) {
    return entry(floorRaw(key, true));
  }

  @Override
  public K floorKey(K key) {
    return key(floorRaw(key, true));
  }

  @Override
  public Map.Entry<K, V> ceilingEntry(K key) {
    return entry(ceilingRaw(key, true));
  }

  @Override
  public K ceilingKey(K key) {
    return key(ceilingRaw(key, true));
  }

  @Override
  public Map.Entry<K, V> higherEntry(K key) {
    return entry(ceilingRaw(key, false));
  }

  @Override
  public K higherKey(K key) {
    return key(ceilingRaw(key, false));
  }

  @Override
  public MapView<K, V> descendingMap() {
    return new MapView<>(tree, keys, values, lock, lo, loIncl, hi, hiIncl, !descending);
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
    byte[] from = encodeKey(fromKey);
    byte[] to = encodeKey(toKey);
    int c = cmp(from, to);
    if (descending ? c < 0 : c > 0) {
      throw new IllegalArgumentException("fromKey > toKey");
    }
    return descending ? bounded(to, toInclusive, from, fromInclusive) : bounded(from, fromInclusive, to, toInclusive);
  }

  @Override
  public MapView<K, V> headMap(K toKey, boolean inclusive) {
    byte[] to = encodeKey(toKey);
    return descending ? bounded(to, inclusive, null, false) : bounded(null, false, to, inclusive);
  }

  @Override
  public MapView<K, V> tailMap(K fromKey, boolean inclusive) {
    byte[] from = encodeKey(fromKey);
    return descending ? bounded(null, false, from, inclusive) : bounded(from, inclusive, null, false);
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

  /** This view narrowed to [newLo, newHi] (ascending terms; null: keep this view's bound). */
  private MapView<K, V> bounded(byte[] newLo, boolean newLoIncl, byte[] newHi, boolean newHiIncl) {
    if (newLo == null) {
      newLo = lo;
      newLoIncl = loIncl;
    } else if (lo != null && (cmp(newLo, lo) < 0 || (cmp(newLo, lo) == 0 && newLoIncl && !loIncl))
        || hi != null && (cmp(newLo, hi) > 0 || (cmp(newLo, hi) == 0 && newLoIncl && !hiIncl))) {
      throw new IllegalArgumentException("key out of the range of this map");
    }
    if (newHi == null) {
      newHi = hi;
      newHiIncl = hiIncl;
    } else if (hi != null && (cmp(newHi, hi) > 0 || (cmp(newHi, hi) == 0 && newHiIncl && !hiIncl))
        || lo != null && (cmp(newHi, lo) < 0 || (cmp(newHi, lo) == 0 && newHiIncl && !loIncl))) {
      throw new IllegalArgumentException("key out of the range of this map");
    }
    return new MapView<>(tree, keys, values, lock, newLo, newLoIncl, newHi, newHiIncl, descending);
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
    return MapViewCollections.mapped(new RangeIterator(this), r -> keys.decode(r.key));
  }

  /** Entries in this view's order; {@code setValue} on one writes to the tree. */
  Iterator<Map.Entry<K, V>> entryIterator() {
    return MapViewCollections.mapped(new RangeIterator(this), WriteThroughEntry::new);
  }

  /** Values in this view's key order. */
  Iterator<V> valueIterator() {
    return MapViewCollections.mapped(new RangeIterator(this), r -> values.decode(r.value));
  }

  /** An iterator's entry: {@code setValue} writes to the tree. */
  private final class WriteThroughEntry extends AbstractMap.SimpleEntry<K, V> {
    private static final long serialVersionUID = 1L;

    WriteThroughEntry(Raw r) {
      super(keys.decode(r.key), values.decode(r.value));
    }

    @Override
    public V setValue(V value) {
      V old = super.setValue(Objects.requireNonNull(value, "value"));
      tree.put(keys.encode(getKey()), values.encode(value));
      return old;
    }
  }
}
