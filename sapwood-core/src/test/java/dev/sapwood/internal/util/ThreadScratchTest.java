package dev.sapwood.internal.util;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Per-thread reusable arrays: reused within their limit, poisoned when handed out again. */
class ThreadScratchTest {
  @Test
  void anArrayHandedOutAgainIsTheSameOneFilledWithPoison() {
    ThreadScratch s = new ThreadScratch(16, 1024);
    byte[] first = s.take(100);
    java.util.Arrays.fill(first, (byte) 7);
    byte[] again = s.take(50);
    assertSame(first, again, "the thread's array is reused");
    for (byte b : again) {
      assertEquals(ThreadScratch.POISON, b, "a reader of the earlier contents would see poison (tests run with -ea)");
    }
  }

  @Test
  void requestsPastTheLimitGetFreshArraysThatAreNotKept() {
    ThreadScratch s = new ThreadScratch(16, 1024);
    byte[] big = s.take(4096);
    assertEquals(4096, big.length);
    assertNotSame(big, s.take(4096));
    s.keep(big);
    assertTrue(s.take(8).length <= 1024, "an array over the limit is not kept");
  }

  @Test
  void growsToTheRequestWithinTheLimitAndKeepsAGrownArray() {
    ThreadScratch s = new ThreadScratch(16, 1024);
    assertTrue(s.take(600).length >= 600);
    assertTrue(s.take(600).length <= 1024);
    byte[] grown = new byte[1000];
    s.keep(grown);
    assertSame(grown, s.take(900));
  }

  @Test
  void eachThreadHasItsOwnArray() throws Exception {
    ThreadScratch s = new ThreadScratch(16, 1024);
    byte[] mine = s.take(64);
    byte[][] theirs = new byte[1][];
    Thread t = new Thread(() -> theirs[0] = s.take(64));
    t.start();
    t.join();
    assertNotSame(mine, theirs[0]);
  }

  @Test
  void allThreadsTogetherKeepNoMoreThanTheTotal() throws Exception {
    ThreadScratch s = new ThreadScratch(16, 1024, 1500);
    byte[] mine = s.take(1000);
    assertSame(mine, s.take(900), "the first thread to grow keeps its array");
    assertEquals(1000 - 16, s.grownBytes());
    byte[][] theirs = new byte[2][];
    Thread t = new Thread(() -> {
      theirs[0] = s.take(1000);
      theirs[1] = s.take(1000);
    });
    t.start();
    t.join();
    assertTrue(theirs[0].length >= 1000 && theirs[1].length >= 1000, "a thread past the total still gets what it asks for");
    assertNotSame(theirs[0], theirs[1], "but fresh arrays, not kept");
    assertEquals(1000 - 16, s.grownBytes(), "nothing more kept");
    byte[] grown = new byte[1024];
    Thread u = new Thread(() -> s.keep(grown));
    u.start();
    u.join();
    assertEquals(1000 - 16, s.grownBytes(), "keep respects the total too");
  }
}
