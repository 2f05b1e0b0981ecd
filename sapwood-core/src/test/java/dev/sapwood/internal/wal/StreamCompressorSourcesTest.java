package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compressor keeps a wrapper for each of the two source arrays the log's frame writer
 * alternates: whichever array a frame comes from, and whenever a third one turns up, the output is
 * byte for byte that of the same bytes given in fresh arrays.
 */
class StreamCompressorSourcesTest {
  @Test
  void framesFromAlternatingAndNewSourceArraysCompressAsTheirOwnBytes() {
    long seed = new Random().nextLong();
    System.out.println("StreamCompressorSourcesTest seed " + seed);
    Random rnd = new Random(seed);
    byte[][] sources = {new byte[4096], new byte[4096], new byte[4096]};
    try (StreamCompressor reused = new StreamCompressor(); StreamCompressor fresh = new StreamCompressor()) {
      reused.start();
      fresh.start();
      for (int i = 0; i < 300; i++) {
        // mostly the two alternating buffers, at times a third (a replaced, grown buffer)
        byte[] src = sources[rnd.nextInt(10) == 0 ? 2 : i % 2];
        int off = 16 + rnd.nextInt(64);
        int len = 1 + rnd.nextInt(600);
        for (int j = 0; j < len; j++) {
          src[off + j] = (byte) (rnd.nextInt(8) == 0 ? rnd.nextInt() : 'a' + j % 7);
        }
        ByteBuffer out = reused.compressDirect(src, off, len, 24);
        byte[] got = new byte[out.remaining()];
        out.get(got);
        byte[] copy = Arrays.copyOfRange(src, off, off + len);
        byte[] want = new byte[StreamCompressor.bound(len)];
        int n = fresh.compress(copy, 0, len, want, 0);
        assertArrayEquals(Arrays.copyOf(want, n), got, "seed " + seed + ", frame " + i);
      }
    }
  }
}
