package dev.sapwood.internal.wal;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.internal.util.Compressors;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native codecs never pin a heap array: under G1 a collection requested while a thread sits in
 * a JNI critical region waits for it and is then run as a "GCLocker Initiated GC", and on JDK
 * 17–21 an allocation that finds the locker held twice fails with {@code OutOfMemoryError} (a 20M
 * fill with a 128 MiB heap did). A child JVM under G1 compresses and decompresses frames with LZ4
 * and zstd and compresses log frames into a zstd stream on three threads while its main thread
 * makes garbage; its GC log must show collections and none of them initiated by the locker
 * (before the codecs were given direct buffers, hundreds were).
 */
class CodecsPinNoHeapArrayTest {
  @Test
  void noCollectionWaitsForACodecUnderG1(@TempDir Path dir) throws Exception {
    Path gcLog = dir.resolve("gc.log");
    Path out = dir.resolve("out.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p = new ProcessBuilder(java, "-XX:+UseG1GC", "-Xmx64m", "-Xlog:gc:file=" + gcLog, "-cp", cp,
        Driver.class.getName(), "3")
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not end");
    String printed = Files.readString(out);
    assertEquals(0, p.exitValue(), printed);
    assertTrue(printed.contains("done"), printed);
    List<String> log = Files.readAllLines(gcLog);
    long collections = log.stream().filter(l -> l.contains("Pause Young")).count();
    long locker = log.stream().filter(l -> l.contains("GCLocker")).count();
    assertTrue(collections >= 20, "too few collections to tell: " + collections);
    assertEquals(0, locker, locker + " of " + collections + " collections waited for a codec's critical region");
  }

  /** The child: codec threads for {@code args[0]} seconds while main makes garbage. */
  public static final class Driver {
    public static void main(String[] args) throws Exception {
      // Loaded and linked first: class loading inflates jar entries, and the JDK's Inflater pins
      // its arrays too (the native libraries are unpacked from their jars the same way).
      for (byte code : new byte[] {Compressors.LZ4, Compressors.ZSTD}) {
        byte[] c = Compressors.compress(code, new byte[64], 0, 64);
        Compressors.decompress(code, c, 0, c.length, new byte[64], 0, 64);
      }
      try (StreamCompressor s = new StreamCompressor()) {
        s.compressDirect(new byte[64], 0, 64, 16);
      }
      System.gc();
      System.out.println("warm");
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[0]));
      List<Thread> threads = new ArrayList<>();
      for (byte code : new byte[] {Compressors.LZ4, Compressors.ZSTD}) {
        threads.add(new Thread(() -> {
          byte[] raw = frame(new Random(code));
          byte[] comp = new byte[Compressors.maxCompressedLength(code, raw.length)];
          byte[] back = new byte[raw.length];
          while (System.nanoTime() < end) {
            int n = Compressors.compress(code, raw, 0, raw.length, comp, 0);
            Compressors.decompress(code, comp, 0, n, back, 0, back.length);
          }
        }));
      }
      threads.add(new Thread(() -> {
        byte[] raw = frame(new Random(7));
        try (StreamCompressor s = new StreamCompressor()) {
          while (System.nanoTime() < end) {
            ByteBuffer b = s.compressDirect(raw, 0, raw.length, 16);
            if (b.remaining() <= 0) {
              throw new IllegalStateException("nothing put out");
            }
          }
        }
      }));
      threads.forEach(Thread::start);
      List<byte[]> live = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        live.add(new byte[100 << 10]); // 20 MiB kept: collections come often
      }
      long sink = 0;
      while (System.nanoTime() < end) {
        byte[] garbage = new byte[64 << 10];
        sink += garbage.length;
      }
      for (Thread t : threads) {
        t.join();
      }
      System.out.println("done " + sink + " " + live.size());
    }

    /** 4 KiB of records: 16-byte keys and values half compressible, as a node's frame holds. */
    private static byte[] frame(Random r) {
      byte[] raw = new byte[4096];
      for (int i = 0; i < raw.length; i++) {
        raw[i] = (byte) (i % 2 == 0 ? r.nextInt(16) : 'v');
      }
      return raw;
    }
  }
}
