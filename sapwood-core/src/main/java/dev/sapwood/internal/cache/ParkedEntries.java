package dev.sapwood.internal.cache;

import java.util.LinkedHashMap;

/**
 * The parked images' index and state machine ({@link ParkedImages}): one entry per key — its
 * pages, length and spill class, whether a checkpoint waits for it, and its state — in the order
 * the images were parked, and which image a full parked memory writes first ({@link #spillChoice}).
 * The states: PARKED (in the pages, nobody using it), TAKEN (copied out for a load, until the
 * loader settles it) and WRITING (copied out for the file, until the writer settles it); {@link
 * ParkedImages} moves entries between them and waits on them.
 *
 * <p>Invariants: (1) a key has at most one entry; (2) an entry is TAKEN or WRITING only while the
 * thread that copied it out has yet to settle it ({@link ParkedImages}, invariant 4). Not
 * thread-safe: every method runs under {@link ParkedImages}' lock.
 */
final class ParkedEntries {
  /** Where an image is: see the states above. */
  enum State {
    PARKED,
    TAKEN,
    WRITING
  }

  /** One parked image: its pages in order, its length, its spill class, its checkpoint mark and state. */
  static final class Entry {
    final long key;
    final int[] pages;
    final int length;
    final boolean newestFirst;
    boolean pending;
    State state = State.PARKED;

    Entry(long key, int[] pages, int length, boolean newestFirst) {
      this.key = key;
      this.pages = pages;
      this.length = length;
      this.newestFirst = newestFirst;
    }
  }

  private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>();

  Entry get(long key) {
    return entries.get(key);
  }

  boolean contains(long key) {
    return entries.containsKey(key);
  }

  /** Adds a PARKED entry, the newest; the caller checked that {@code key} has none. */
  void add(Entry e) {
    entries.put(e.key, e);
  }

  void remove(Entry e) {
    entries.remove(e.key);
  }

  int size() {
    return entries.size();
  }

  void clear() {
    entries.clear();
  }

  /**
   * The PARKED entry a full parked memory writes first, or null if none is PARKED: the oldest a
   * checkpoint waits for (it is written for the checkpoint anyway); else the most recently parked
   * of those parked {@code newestFirst} (used in turns: parked right after a use, it is the one
   * whose next use is furthest off, where the oldest would be the next one used — the oldest first
   * spills every image of a cycle longer than the memory just before its use); else the oldest.
   * Images are few (a parked memory holds at most a few hundred nodes), so one pass over them is
   * cheap beside the write that follows.
   */
  Entry spillChoice() {
    Entry oldest = null;
    Entry newest = null;
    for (Entry e : entries.values()) {
      if (e.state != State.PARKED) {
        continue;
      }
      if (e.pending) {
        return e;
      }
      if (e.newestFirst) {
        newest = e;
      } else if (oldest == null) {
        oldest = e;
      }
    }
    return newest != null ? newest : oldest;
  }

  /**
   * Marks every entry as waiting for the checkpoint beginning now and returns their keys, oldest
   * first; throws {@link IllegalStateException}, marking nothing, if one is TAKEN or WRITING (no
   * one would settle it before the checkpoint waits for it: invariant 2 broken).
   */
  long[] markPending() {
    for (Entry e : entries.values()) {
      if (e.state != State.PARKED) {
        throw new IllegalStateException("parked image of key " + e.key + " is " + e.state + " at a checkpoint's begin");
      }
    }
    long[] keys = new long[entries.size()];
    int i = 0;
    for (Entry e : entries.values()) {
      e.pending = true;
      keys[i++] = e.key;
    }
    return keys;
  }
}
