package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A map view's read-then-write methods are atomic against writes made through the tree itself. */
class MapViewAtomicityTest {
  @Test
  void mergeThroughTheViewAndBlindUpdatesOnTheTreeAddUpExactly(@TempDir Path dir) throws Exception {
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("counters");
      ConcurrentNavigableMap<String, Long> map = t.asMap(Codec.STRING, Codec.LONG);
      int each = 200;
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        threads.add(new Thread(() -> {
          for (int j = 0; j < each; j++) {
            map.merge("n", 1L, Long::sum);
          }
        }));
      }
      threads.add(new Thread(() -> {
        for (int j = 0; j < each; j++) {
          t.update(Codec.STRING.encode("n"), UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(1));
        }
      }));
      threads.forEach(Thread::start);
      for (Thread th : threads) {
        th.join();
      }
      assertEquals(3L * each, map.get("n"));
    }
  }
}
