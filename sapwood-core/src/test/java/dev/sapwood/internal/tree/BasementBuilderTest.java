package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A basement builder appends into a scratch arena its thread keeps between builders: the
 * basements it publishes must never see that arena written again.
 */
class BasementBuilderTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Basement> build(String prefix, int n, int target) {
    BasementBuilder b = new BasementBuilder(target, 4096, 7);
    for (int i = 0; i < n; i++) {
      byte[] k = bytes(String.format("%s%05d", prefix, i));
      byte[] v = bytes(prefix + "-value-" + i);
      b.emit(k, 0, k.length, v, 0, v.length);
    }
    return b.finish();
  }

  private static void assertHolds(List<Basement> basements, String prefix, int n) {
    int i = 0;
    for (Basement b : basements) {
      assertEquals(b.bytes(), b.arena().length, "a basement's arena is exactly its bytes");
      for (int e = 0; e < b.count(); e++, i++) {
        assertArrayEquals(bytes(String.format("%s%05d", prefix, i)), b.key(e));
        assertArrayEquals(bytes(prefix + "-value-" + i), b.value(e));
      }
    }
    assertEquals(n, i);
  }

  @Test
  void basementsKeepTheirEntriesAfterTheThreadsNextBuilderReusesTheScratch() {
    List<Basement> first = build("a", 300, 1024);
    assertTrue(first.size() > 1, "split into several basements");
    List<Basement> second = build("b", 300, 1024);
    assertHolds(first, "a", 300);
    assertHolds(second, "b", 300);
  }

  @Test
  void twoBuildersOnOneThreadAtOnceDoNotShareAnArena() {
    build("w", 10, 1024); // leaves a scratch arena on this thread
    BasementBuilder x = new BasementBuilder(1 << 20, 4096, 1);
    BasementBuilder y = new BasementBuilder(1 << 20, 4096, 1);
    List<Basement> xs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      byte[] kx = bytes(String.format("x%05d", i));
      byte[] ky = bytes(String.format("y%05d", i));
      x.emit(kx, 0, kx.length, bytes("x-value-" + i), 0, bytes("x-value-" + i).length);
      y.emit(ky, 0, ky.length, bytes("y-value-" + i), 0, bytes("y-value-" + i).length);
    }
    xs.addAll(x.finish());
    List<Basement> ys = y.finish();
    assertHolds(xs, "x", 100);
    assertHolds(ys, "y", 100);
  }

  @Test
  void aFinishedBuilderRefusesMoreEntriesAndFinishesOnce() {
    BasementBuilder b = new BasementBuilder(1024, 64, 0);
    byte[] k = bytes("k");
    b.emit(k, 0, 1, k, 0, 1);
    List<Basement> done = b.finish();
    assertSame(done, b.finish());
    assertThrows(IllegalStateException.class, () -> b.emit(k, 0, 1, k, 0, 1));
    List<Basement> next = build("n", 50, 1024); // reuses the scratch; the first basement is unchanged
    assertArrayEquals(k, done.get(0).key(0));
    assertHolds(next, "n", 50);
  }
}
