// What the process is counted for (/proc/self/io write_bytes) against the bytes it stores, for the
// ways Sapwood writes: the log's mapped segment (stores, 16 KiB chunks of zeros written ahead, a
// force every SYNC_MS), the same with pwrite, and a positional write into a file range that was read
// first (the block file's pages may sit in large page-cache folios after readahead).
// Usage: java bench/WriteBytesProbe.java DIR MODE SECONDS RATE FRAME [SYNC_MS [FILL_CHUNK [read|noread]]]
//   MODE: mapped | pwrite | readthenwrite
//   RATE frames a second of FRAME bytes (mapped, pwrite); readthenwrite: RATE writes of FRAME bytes
//   a second at random places of a 256 MiB file written first in FILL_CHUNK-byte pwrites (default
//   1 MiB) and then read once (unless noread), fsynced every SYNC_MS.
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

public class WriteBytesProbe {
  static long[] io() throws IOException {
    long w = 0, c = 0, wc = 0;
    for (String l : Files.readAllLines(Path.of("/proc/self/io"))) {
      String[] p = l.split(":\\s*");
      switch (p[0]) {
        case "write_bytes" -> w = Long.parseLong(p[1]);
        case "cancelled_write_bytes" -> c = Long.parseLong(p[1]);
        case "wchar" -> wc = Long.parseLong(p[1]);
        default -> { }
      }
    }
    return new long[] {w, c, wc};
  }

  public static void main(String[] a) throws Exception {
    Path dir = Path.of(a[0]);
    String mode = a[1];
    int seconds = Integer.parseInt(a[2]);
    int rate = Integer.parseInt(a[3]);
    int frame = Integer.parseInt(a[4]);
    long syncMs = a.length > 5 ? Long.parseLong(a[5]) : 1000;
    int fillChunk = a.length > 6 ? Integer.parseInt(a[6]) : 1 << 20;
    boolean readFirst = a.length <= 7 || !a[7].equals("noread");
    Files.createDirectories(dir);
    Path f = dir.resolve("probe-" + mode);
    Files.deleteIfExists(f);
    Random r = new Random(1);
    byte[] bytes = new byte[frame];
    long stored = 0;
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MappedByteBuffer map = null;
      long size = 256L << 20;
      if (mode.equals("mapped")) {
        map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
      }
      if (mode.equals("readthenwrite")) {
        ByteBuffer chunk = ByteBuffer.allocateDirect(fillChunk);
        for (long p = 0; p < size; p += chunk.capacity()) {
          chunk.clear();
          while (chunk.hasRemaining()) {
            r.nextBytes(bytes);
            chunk.put(bytes, 0, Math.min(bytes.length, chunk.remaining()));
          }
          chunk.flip();
          ch.write(chunk, p);
        }
        ch.force(true);
        // Read it all once (pages already cached stay in the folios the writes made).
        for (long p = 0; readFirst && p < size; p += chunk.capacity()) {
          chunk.clear();
          ch.read(chunk, p);
        }
      }
      ByteBuffer zeros = ByteBuffer.allocateDirect(16 << 10);
      long prepared = 0;
      long pos = 0;
      long[] start = io();
      long t0 = System.nanoTime();
      long nextSync = t0 + syncMs * 1_000_000;
      long perFrameNs = 1_000_000_000L / rate;
      long next = t0;
      long end = t0 + seconds * 1_000_000_000L;
      int syncs = 0;
      while (System.nanoTime() < end) {
        long now = System.nanoTime();
        if (now < next) {
          if (next - now > 200_000) {
            Thread.sleep(0, 200_000);
          }
          continue;
        }
        next += perFrameNs;
        r.nextBytes(bytes);
        switch (mode) {
          case "mapped" -> {
            while (pos + frame > prepared) {
              zeros.clear();
              ch.write(zeros, prepared);
              prepared += zeros.capacity();
            }
            map.put((int) pos, bytes);
            pos += frame;
          }
          case "pwrite" -> {
            ch.write(ByteBuffer.wrap(bytes), pos);
            pos += frame;
          }
          default -> ch.write(ByteBuffer.wrap(bytes), (long) (r.nextDouble() * (size - frame)) / 4096 * 4096);
        }
        stored += frame;
        if (System.nanoTime() >= nextSync) {
          if (map != null) {
            map.force();
          }
          ch.force(false);
          syncs++;
          nextSync += syncMs * 1_000_000;
        }
      }
      long[] stop = io();
      System.out.printf("%s: %d s, %d frames/s of %d B, sync every %d ms (%d syncs): stored %d B, "
          + "write_bytes %d (%.2fx), cancelled %d, wchar %d%n", mode, seconds, rate, frame, syncMs, syncs, stored,
          stop[0] - start[0], (double) (stop[0] - start[0]) / stored, stop[1] - start[1], stop[2] - start[2]);
    }
    Files.deleteIfExists(f);
  }
}
