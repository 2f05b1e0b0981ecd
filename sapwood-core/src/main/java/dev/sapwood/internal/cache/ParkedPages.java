package dev.sapwood.internal.cache;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * The page allocator of {@link ParkedImages}: whole slabs {@linkplain FrameCache#lendSlab borrowed}
 * from the off-heap tier, each cut into {@link #PAGES_PER_SLAB} pages of a sixty-fourth of a slab,
 * handed out one page at a time from the lowest slab that has one (so that higher slabs empty and
 * go back). A slab whose pages are all free goes back to the tier, but one: a spare, so that
 * parking and freeing around a slab's edge does not lend and return it over and over (each lend
 * evicts a slab of clean frames).
 *
 * <p>Not thread-safe: {@link ParkedImages} calls it under its lock. With assertions on, a freed
 * page is overwritten with a poison byte (a read after free would decode garbage and fail its
 * checksum).
 *
 * <p>Invariants: (1) a page is free in its slab's mask exactly when no image holds it; (2) {@code
 * freePages} is the number of free bits over the held slabs; (3) {@code heldBytes} is the held
 * slabs' capacity, never above what the tier lends ({@link FrameCache#maxLent} slabs).
 */
final class ParkedPages {
  /** Pages a slab is cut into: one bit each in the slab's free mask. */
  static final int PAGES_PER_SLAB = 64;
  /** A slab's free mask with every page free. */
  private static final long ALL_FREE = PAGES_PER_SLAB == 64 ? -1L : (1L << PAGES_PER_SLAB) - 1;
  private static final byte POISON = (byte) 0xDB;

  private final FrameCache lender;
  private final int pageSize;
  /** A page of the poison byte, with assertions on (else null): what a freed page is overwritten with. */
  private final byte[] poison;
  private final ArrayList<ByteBuffer> slabs = new ArrayList<>();
  /** Per held slab: bit p set when page p is free. */
  private final ArrayList<long[]> freeMasks = new ArrayList<>();
  private int freePages;
  private long heldBytes;

  ParkedPages(FrameCache lender, boolean poisonFreed) {
    this.lender = lender;
    this.pageSize = Math.max(1, lender.slabSize() / PAGES_PER_SLAB);
    this.poison = poisonFreed ? new byte[pageSize] : null;
    if (poison != null) {
      Arrays.fill(poison, POISON);
    }
  }

  int pageSize() {
    return pageSize;
  }

  /** Pages an image of {@code length} bytes takes. */
  int pagesFor(int length) {
    return (int) ((length + (long) pageSize - 1) / pageSize);
  }

  /** Whether {@code pages} pages could be held at all (in all the memory the tier lends). */
  boolean couldHold(long pages) {
    return pages <= (long) lender.maxLent() * PAGES_PER_SLAB;
  }

  /** Borrows slabs until {@code need} pages are free; false if the tier lends no more. */
  boolean reserve(int need) {
    while (freePages < need) {
      if (!borrow()) {
        return false;
      }
    }
    return true;
  }

  /** A free page (after {@link #reserve}), from the lowest slab that has one. */
  int allocate() {
    for (int s = 0; s < slabs.size(); s++) {
      long[] mask = freeMasks.get(s);
      if (slabs.get(s) != null && mask[0] != 0) {
        int p = Long.numberOfTrailingZeros(mask[0]);
        mask[0] &= ~(1L << p);
        freePages--;
        return s * PAGES_PER_SLAB + p;
      }
    }
    throw new IllegalStateException("no free page though " + freePages + " are counted");
  }

  /** Copies {@code src[at, at + n)} into page {@code p} (n at most a page). */
  void write(int p, byte[] src, int at, int n) {
    slabs.get(p / PAGES_PER_SLAB).put(p % PAGES_PER_SLAB * pageSize, src, at, n);
  }

  /** Copies page {@code p}'s first {@code n} bytes into {@code dst[at, at + n)}. */
  void read(int p, byte[] dst, int at, int n) {
    slabs.get(p / PAGES_PER_SLAB).get(p % PAGES_PER_SLAB * pageSize, dst, at, n);
  }

  /** Frees {@code pages} (poisoned first, with assertions on) and gives back slabs left empty. */
  void free(int[] pages) {
    for (int p : pages) {
      int s = p / PAGES_PER_SLAB;
      if (poison != null) {
        slabs.get(s).put(p % PAGES_PER_SLAB * pageSize, poison, 0, pageSize);
      }
      freeMasks.get(s)[0] |= 1L << (p % PAGES_PER_SLAB);
      freePages++;
    }
    giveBackEmptySlabs();
  }

  long heldBytes() {
    return heldBytes;
  }

  /** Drops every slab (the tier takes its memory back at its own close). */
  void close() {
    slabs.clear();
    freeMasks.clear();
    freePages = 0;
    heldBytes = 0;
  }

  /** Returns held slabs whose pages are all free to the tier, but one spare. */
  private void giveBackEmptySlabs() {
    boolean spare = false;
    for (int s = 0; s < slabs.size(); s++) {
      ByteBuffer slab = slabs.get(s);
      if (slab != null && freeMasks.get(s)[0] == ALL_FREE && !spare) {
        spare = true;
      } else if (slab != null && freeMasks.get(s)[0] == ALL_FREE) {
        lender.returnSlab(slab);
        slabs.set(s, null);
        freeMasks.get(s)[0] = 0;
        freePages -= PAGES_PER_SLAB;
        heldBytes -= lender.slabSize();
      }
    }
  }

  /** Borrows one slab from the tier; false if it lends none. */
  private boolean borrow() {
    ByteBuffer slab = lender.lendSlab();
    if (slab == null) {
      return false;
    }
    int s = slabs.indexOf(null);
    if (s < 0) {
      s = slabs.size();
      slabs.add(slab);
      freeMasks.add(new long[] {ALL_FREE});
    } else {
      slabs.set(s, slab);
      freeMasks.get(s)[0] = ALL_FREE;
    }
    freePages += PAGES_PER_SLAB;
    heldBytes += lender.slabSize();
    return true;
  }
}
