package dev.sapwood.internal.cache;

/**
 * The objects one thread holds pinned in one {@link CacheTable}, and how each is latched: the
 * record that lets {@link CacheTable#releaseHeld} release every pin and latch of an operation that
 * failed part-way. An array-backed stack (a root-to-leaf path is a few entries, pushed and mostly
 * popped in order); a reader fetches its thread's stack once per operation ({@link
 * CacheTable#pins()}) and passes it to each pin and unpin, instead of a {@code ThreadLocal} lookup
 * per pin.
 *
 * <p>Invariants: used only by its owner thread; entries {@code [0, size)} are the objects the
 * owner pinned and has not released, each with the latch mode it holds ({@link #UNLATCHED},
 * {@link #READ}, {@link #WRITE}); entries at or past {@code size} are null.
 */
public final class Pins {
  static final byte UNLATCHED = 0;
  static final byte READ = 1;
  static final byte WRITE = 2;

  final Thread owner = Thread.currentThread();
  private Cacheable[] objects = new Cacheable[16];
  private byte[] modes = new byte[16];
  private int size;
  /** Whether the owner runs {@link CacheTable#runUnnoted} work now. */
  boolean unnoted;
  /** Cache hits of the owner's pins not yet added to the shared counter (added once it holds none). */
  long hits;

  /** Unlatches and unpins every entry, newest first, leaving the record empty. */
  void releaseAll() {
    while (!isEmpty()) {
      Cacheable o = top();
      byte mode = topMode();
      pop();
      if (mode == WRITE) {
        o.latch.writeUnlock();
      } else if (mode == READ) {
        o.latch.readUnlock(); // not taken for a pin without a latch (pinUnlatched)
      }
      o.unpinCount();
    }
  }

  void push(Cacheable o, byte mode) {
    assert owner == Thread.currentThread() : "pins used by another thread";
    if (size == objects.length) {
      objects = java.util.Arrays.copyOf(objects, size * 2);
      modes = java.util.Arrays.copyOf(modes, size * 2);
    }
    objects[size] = o;
    modes[size] = mode;
    size++;
  }

  /** Removes the newest entry of {@code o}; false if there is none. */
  boolean forget(Cacheable o) {
    for (int i = size - 1; i >= 0; i--) {
      if (objects[i] == o) {
        size--;
        System.arraycopy(objects, i + 1, objects, i, size - i);
        System.arraycopy(modes, i + 1, modes, i, size - i);
        objects[size] = null;
        return true;
      }
    }
    return false;
  }

  /** Records that the newest entry of {@code o} (pinned unlatched) now holds the read latch. */
  void latchedRead(Cacheable o) {
    for (int i = size - 1; i >= 0; i--) {
      if (objects[i] == o) {
        modes[i] = READ;
        return;
      }
    }
    throw new IllegalStateException("read latch taken on an object this thread has not pinned");
  }

  /** Whether this thread holds a latch (read or write) of {@code o}: a second one would deadlock. */
  boolean latches(Cacheable o) {
    for (int i = size - 1; i >= 0; i--) {
      if (objects[i] == o && modes[i] != UNLATCHED) {
        return true;
      }
    }
    return false;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** The newest entry (REQUIRES: not empty). */
  Cacheable top() {
    return objects[size - 1];
  }

  byte topMode() {
    return modes[size - 1];
  }

  /** Drops the newest entry (REQUIRES: not empty). */
  void pop() {
    size--;
    objects[size] = null;
  }
}
