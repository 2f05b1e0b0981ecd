package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sapwood.internal.io.IoFile;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link SegmentInput}'s zero scans against a byte-by-byte answer, across window boundaries. */
class SegmentInputTest {
  private static final int WINDOW = 8192;

  @Test
  void dataEndAndAllZeroAgreeWithAByteByByteScan() throws Exception {
    long seed = System.nanoTime();
    System.out.println("SegmentInputTest seed " + seed);
    Random rnd = new Random(seed);
    MemoryFileIo io = new MemoryFileIo();
    Path p = Path.of("/seg");
    SegmentInput in = new SegmentInput(WINDOW);
    for (int round = 0; round < 200; round++) {
      byte[] b = new byte[1 + rnd.nextInt(5 * WINDOW)];
      int marks = rnd.nextInt(4);
      for (int k = 0; k < marks; k++) {
        int at = rnd.nextBoolean() ? rnd.nextInt(b.length) : Math.max(0, Math.min(b.length - 1,
            (1 + rnd.nextInt(4)) * WINDOW + rnd.nextInt(3) - 1)); // near a window's edge
        b[at] = (byte) (1 + rnd.nextInt(255));
      }
      io.setContents(p, b);
      try (IoFile f = io.openReadOnly(p)) {
        in.reset(f, "seg");
        for (int q = 0; q < 5; q++) {
          int from = rnd.nextInt(b.length + 1);
          int to = from + rnd.nextInt(b.length - from + 1);
          int end = from;
          for (int i = from; i < to; i++) {
            if (b[i] != 0) {
              end = i + 1;
            }
          }
          assertEquals(end, in.dataEnd(from, to), "seed " + seed + " [" + from + ", " + to + ")");
          assertEquals(end == from, in.allZero(from, to), "seed " + seed + " [" + from + ", " + to + ")");
        }
      }
    }
  }
}
