package dev.sapwood.internal.cache;

import dev.sapwood.internal.stats.Counters;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;

/**
 * Dirty objects' encoded images parked off-heap instead of written to the file (a write-back
 * tier): the heap cache evicts a dirty internal node by parking its image here, and the image is
 * written to the file only by the next checkpoint, or when this memory is full (in the order
 * {@link #beginSpill} gives), or is taken back into the heap by the next miss of its key. The memory is whole slabs
 * {@linkplain FrameCache#lendSlab lent} by the off-heap tier of clean frames, so parked and clean
 * bytes share one budget (at most {@link FrameCache#maxLent} slabs of it parked); each slab is cut
 * into pages ({@link ParkedPages}), and an image takes whole pages (not contiguous).
 *
 * <p>An image's states: {@link #park} makes it PARKED; {@link #take} (copied out for a load) makes a
 * PARKED one TAKEN, which {@link #taken} ends (gone: the object is where lookups find it) or {@link
 * #restore} (PARKED again: the load failed); {@link #beginWrite}/{@link #beginSpill} (copied out for
 * the file) make a PARKED one WRITING, which {@link #written} ends (gone) or {@link #writeFailed}
 * (PARKED again); {@link #discard} drops a PARKED one. An image stays findable until its successor
 * home holds it, so no lookup can fall between the two and read a stale block: a {@code take} that
 * meets a WRITING image waits for the write, and a {@code beginWrite} that meets a TAKEN or WRITING
 * one waits for it to settle (only the settling call ends the wait: invariant 4).
 *
 * <p>Thread-safe: every read and write of a page happens under one lock, and pages are freed
 * under it, so nothing reads a page after it was freed or its slab given back; with assertions on,
 * freed pages are overwritten with a poison byte (a read after free would decode garbage and fail
 * its checksum). After {@link #close} every call but {@code close} and the figures throws {@link
 * IllegalStateException}; the slabs are dropped (the tier closes with them).
 *
 * <p>The entries, their states and which image a spill takes are {@link ParkedEntries}; the pages
 * are {@link ParkedPages}; this class holds the lock, moves images between the states, copies
 * them in and out and waits for them.
 *
 * <p>Invariants: (1) a key has at most one image; (2) a page belongs to at most one image, and is
 * free exactly when it belongs to none (the pages' own invariants: {@link ParkedPages}); (3) {@code
 * heapBytes} is what the index's entries are counted at against the heap cache ({@link
 * #chargeHeapTo}), 0 after close; (4) an image is TAKEN or WRITING only while the thread that took
 * it has yet to settle it, on every path out ({@code taken}/{@code restore}, {@code written}/{@code
 * writeFailed}): at a checkpoint's begin, with no other use running, every image is PARKED.
 */
public final class ParkedImages implements AutoCloseable {
  /** Heap bytes an entry is counted at, besides 4 per page. */
  private static final int ENTRY_HEAP = 112;
  private static final boolean ASSERTS = ParkedImages.class.desiredAssertionStatus();

  private static final ParkedEntries.State PARKED = ParkedEntries.State.PARKED;
  private static final ParkedEntries.State TAKEN = ParkedEntries.State.TAKEN;
  private static final ParkedEntries.State WRITING = ParkedEntries.State.WRITING;

  /** An image copied out: its bytes {@code bytes[0, length)}, its key, whether a checkpoint waits for it. */
  public record Image(long key, byte[] bytes, int length, boolean pending) {}

  private final ParkedPages pages;
  private final int pageSize;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition settled = lock.newCondition();
  private final ParkedEntries entries = new ParkedEntries();
  private long imageBytes;
  private long heapBytes;
  private LongConsumer heapCharge = d -> {};
  private boolean closed;

  private final LongAdder parks;
  private final LongAdder takes;
  private final LongAdder spills;
  private final LongAdder checkpointWrites;

  /** Parks images in slabs lent by {@code lender}. */
  public ParkedImages(FrameCache lender, Counters counters) {
    this.pages = new ParkedPages(lender, ASSERTS);
    this.pageSize = pages.pageSize();
    this.parks = counters.counter("cache.parked");
    this.takes = counters.counter("cache.unparked");
    this.spills = counters.counter("cache.parked_spills");
    this.checkpointWrites = counters.counter("cache.parked_checkpoint_writes");
  }

  /**
   * Parks {@code src[0, length)} under {@code key}, borrowing slabs from the tier as needed; false
   * (nothing parked) if the pages cannot be found: the caller spills an image ({@link #beginSpill})
   * or writes this one itself. {@code newestFirst} puts the image in the class {@link #beginSpill}
   * takes newest first: objects used in turns, whose last use is the furthest from their next.
   *
   * @throws IllegalStateException if {@code key} has an image already, or after {@link #close}
   */
  public boolean park(long key, byte[] src, int length, boolean newestFirst) {
    if (length <= 0) {
      throw new IllegalArgumentException("image of " + length + " bytes");
    }
    int need = pages.pagesFor(length);
    lock.lock();
    try {
      checkOpen();
      if (entries.contains(key)) {
        throw new IllegalStateException("key " + key + " is parked already");
      }
      if (!pages.reserve(need)) {
        return false;
      }
      int[] taken = new int[need];
      for (int i = 0, at = 0; i < need; i++, at += pageSize) {
        taken[i] = pages.allocate();
        pages.write(taken[i], src, at, Math.min(pageSize, length - at));
      }
      entries.add(new ParkedEntries.Entry(key, taken, length, newestFirst));
      imageBytes += length;
      charge(ENTRY_HEAP + 4L * need);
      parks.increment();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Whether an image of {@code length} bytes could be parked at all (in all the memory the tier lends). */
  public boolean fits(int length) {
    return pages.couldHold(pages.pagesFor(length));
  }

  /**
   * Whether {@code key}'s image is TAKEN: its load put the object where lookups find it and has not
   * yet let the image go ({@link #taken}). Only the loader ends that state.
   */
  public boolean isBeingLoaded(long key) {
    lock.lock();
    try {
      ParkedEntries.Entry e = entries.get(key);
      return e != null && e.state == TAKEN;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Copies the image of {@code key} out for a load into {@code buffer.apply(length)} and marks it
   * TAKEN (a write waits for it); null if {@code key} has none. Waits while the image is being
   * written. The caller ends with {@link #taken} or {@link #restore}.
   */
  public Image take(long key, IntFunction<byte[]> buffer) {
    lock.lock();
    try {
      for (;;) {
        checkOpen();
        ParkedEntries.Entry e = entries.get(key);
        if (e == null) {
          return null;
        }
        if (e.state == TAKEN) {
          throw new IllegalStateException("key " + key + " is being loaded twice");
        }
        if (e.state == WRITING) {
          settled.awaitUninterruptibly();
          continue;
        }
        Image image = copyOut(e, buffer); // first: if the copy fails, the image stays PARKED
        e.state = TAKEN;
        takes.increment();
        return image;
      }
    } finally {
      lock.unlock();
    }
  }

  /** The load of {@code key}'s taken image is done (the object is findable): the image goes. */
  public void taken(long key) {
    settle(key, TAKEN, true);
  }

  /** The load of {@code key}'s taken image failed: it stays parked. */
  public void restore(long key) {
    settle(key, TAKEN, false);
  }

  /**
   * For a checkpoint: copies out the image of {@code key} if a checkpoint waits for it, marking it
   * WRITING; null if there is none, or one no checkpoint waits for. Waits for a TAKEN or WRITING
   * image to settle first. The caller writes it and ends with {@link #written} or {@link
   * #writeFailed}.
   */
  public Image beginWrite(long key, IntFunction<byte[]> buffer) {
    lock.lock();
    try {
      for (;;) {
        checkOpen();
        ParkedEntries.Entry e = entries.get(key);
        if (e == null || e.state == PARKED && !e.pending) {
          return null;
        }
        if (e.state != PARKED) {
          settled.awaitUninterruptibly();
          continue;
        }
        Image image = copyOut(e, buffer);
        e.state = WRITING;
        checkpointWrites.increment();
        return image;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * For room: copies out a PARKED image, marking it WRITING; null if there is none. The caller
   * writes it and ends with {@link #written} or {@link #writeFailed}. Which one: the oldest a
   * checkpoint waits for, else the parent of leaves parked last, else the oldest ({@link
   * ParkedEntries#spillChoice} says why).
   */
  public Image beginSpill(IntFunction<byte[]> buffer) {
    lock.lock();
    try {
      checkOpen();
      ParkedEntries.Entry e = entries.spillChoice();
      if (e == null) {
        return null;
      }
      Image image = copyOut(e, buffer);
      e.state = WRITING;
      spills.increment();
      return image;
    } finally {
      lock.unlock();
    }
  }

  /** The file holds {@code key}'s image now: it goes, and its pages are free. */
  public void written(long key) {
    settle(key, WRITING, true);
  }

  /** Writing {@code key}'s image failed: it stays parked. */
  public void writeFailed(long key) {
    settle(key, WRITING, false);
  }

  /** Drops {@code key}'s PARKED image (a park the caller took back); nothing if it has none. */
  public void discard(long key) {
    lock.lock();
    try {
      checkOpen();
      ParkedEntries.Entry e = entries.get(key);
      if (e != null) {
        if (e.state != PARKED) {
          throw new IllegalStateException("key " + key + " is in use, not parked");
        }
        free(e);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks every image as waiting for the checkpoint beginning now and returns their keys. The
   * caller excludes every other use meanwhile (a checkpoint's begin). Throws {@link
   * IllegalStateException}, marking nothing, if an image is TAKEN or WRITING (invariant 4 broken).
   */
  public long[] markPending() {
    lock.lock();
    try {
      checkOpen();
      return entries.markPending(); // throws, marking nothing, if an image would never be settled
    } finally {
      lock.unlock();
    }
  }

  /** What is held now: images, their bytes, and the direct memory of the slabs borrowed (0 after close). */
  public record Figures(int images, long imageBytes, long heldBytes) {}

  /** The figures now, read together under the lock. */
  public Figures figures() {
    lock.lock();
    try {
      return new Figures(entries.size(), imageBytes, pages.heldBytes());
    } finally {
      lock.unlock();
    }
  }

  /** Counts the entries' heap to {@code charge}: what they hold now at once, then each change. */
  public void chargeHeapTo(LongConsumer charge) {
    lock.lock();
    try {
      heapCharge = charge;
      charge.accept(heapBytes);
    } finally {
      lock.unlock();
    }
  }

  /** Drops every image and slab (the tier takes its memory back at its own close). Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      entries.clear();
      pages.close();
      imageBytes = 0;
      charge(-heapBytes);
      settled.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---- under the lock ----

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("parked images closed");
    }
  }

  private void charge(long delta) {
    heapBytes += delta;
    heapCharge.accept(delta);
  }

  private Image copyOut(ParkedEntries.Entry e, IntFunction<byte[]> buffer) {
    byte[] out = buffer.apply(e.length);
    for (int i = 0, at = 0; i < e.pages.length; i++, at += pageSize) {
      pages.read(e.pages[i], out, at, Math.min(pageSize, e.length - at));
    }
    return new Image(e.key, out, e.length, e.pending);
  }

  private void settle(long key, ParkedEntries.State from, boolean remove) {
    lock.lock();
    try {
      checkOpen();
      ParkedEntries.Entry e = entries.get(key);
      if (e == null || e.state != from) {
        throw new IllegalStateException("key " + key + " has no image in state " + from);
      }
      if (remove) {
        free(e);
      } else {
        e.state = PARKED;
      }
      settled.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void free(ParkedEntries.Entry e) {
    entries.remove(e);
    imageBytes -= e.length;
    charge(-(ENTRY_HEAP + 4L * e.pages.length));
    pages.free(e.pages);
  }
}
