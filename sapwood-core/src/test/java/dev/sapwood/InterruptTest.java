package dev.sapwood;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thread interrupted while it reads makes the JDK close the file's channel for everyone; the
 * database must neither fail nor lose the interrupt.
 */
class InterruptTest {
  @TempDir Path dir;

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anInterruptedReaderGetsItsValueAndTheDatabaseGoesOn() throws Exception {
    Options o = Options.defaults().nodeSize(16 << 10).basementSize(4 << 10).cacheSize(256 << 10);
    byte[] v = new byte[100];
    try (Database db = Database.open(dir, o)) {
      Tree t = db.tree("t");
      for (int i = 0; i < 20_000; i++) {
        Arrays.fill(v, (byte) i);
        t.put(key(i), v);
      }
    }
    try (Database db = Database.open(dir, o)) { // a cold cache: reads go to the file
      Tree t = db.tree("t");
      AtomicReference<Object> seen = new AtomicReference<>();
      Thread reader = new Thread(() -> {
        Thread.currentThread().interrupt();
        try {
          byte[] got = t.get(key(12_345));
          seen.set(Thread.currentThread().isInterrupted() ? got : "interrupt lost");
        } catch (Throwable e) {
          seen.set(e);
        }
      });
      reader.start();
      reader.join();
      Object r = seen.get();
      assertTrue(r instanceof byte[], "the interrupted read returned " + r);
      Arrays.fill(v, (byte) 12_345);
      assertArrayEquals(v, (byte[]) r);
      for (int i = 0; i < 20_000; i += 97) {
        Arrays.fill(v, (byte) i);
        assertArrayEquals(v, t.get(key(i)), "key " + i + " after the interrupt");
      }
      t.put(key(1), v); // writes still work: the interrupt did not fail the database
    }
  }
}
