package dev.sapwood.bench.peers;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoundedMemoryTest {
  @TempDir Path dir;

  @Test
  void theWordBecomesTheRecommendedOptionsForTheBudget() {
    assertEquals("-Xmx128m -XX:MaxDirectMemorySize=144m -XX:TrimNativeHeapInterval=1000 "
        + "-Dsapwood.bench.cacheBytes=201326592 -Dsapwood.bench.offHeapCacheShare=0.6666666666666666 "
        + "-XX:MaxInlineLevel=9 -XX:InlineSmallCode=1000 -XX:+UseShenandoahGC -Xlog:gc",
        BoundedMemory.expand("bounded -Xlog:gc", 256L << 20),
        "a 256 MiB budget: a heap of 128 (a 64 MiB node cache), a tier of 128, caches of 192");
    assertFalse(BoundedMemory.expand("bounded -XX:+UseSerialGC", 256L << 20).contains("Shenandoah"),
        "a collector chosen in the options replaces Shenandoah (two would stop the JVM)");
    assertTrue(BoundedMemory.expand("bounded", 32L << 20).startsWith("-Xmx64m "), "at least 64 MiB of heap");
    assertTrue(BoundedMemory.expand("bounded", 1L << 30).startsWith("-Xmx512m "),
        "half the cache: " + BoundedMemory.expand("bounded", 1L << 30));
    assertEquals("-Xmx640m", BoundedMemory.expand(" -Xmx640m ", 256L << 20), "other options are left alone");
  }

  @Test
  void onlyABoundedChildGetsTheMallocArenaLimit() {
    Map<String, String> env = new HashMap<>();
    BoundedMemory.environment("-Xmx640m", env);
    assertFalse(env.containsKey("MALLOC_ARENA_MAX"));
    BoundedMemory.environment(BoundedMemory.expand("bounded", 64L << 20), env);
    assertEquals("2", env.get("MALLOC_ARENA_MAX"));
  }

  @Test
  void aBoundedChildRunsWithTheTierAndTheHeapItWasGiven() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    int rc = PeerBench.run(new String[] {"--engines", "sapwood", "--isolate", "process",
        "--child-java-opts-sapwood", "bounded -XX:+PrintCommandLineFlags", "--cache-size", "8M",
        "--num", "2000", "--benchmarks", "fillrandom", "--dir", dir.toString()}, out, out);
    String text = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, text);
    assertTrue(text.contains("-XX:MaxHeapSize=67108864"), text);
    assertTrue(text.contains("cacheSize=6291456 ") && text.contains("offHeapCacheShare=0.6666666666666666"),
        "the engine's caches are three quarters of the 8 MiB budget, two thirds of them off-heap: " + text);
    assertTrue(text.contains("-XX:+UseShenandoahGC"), text);
    assertTrue(text.contains("-XX:MaxInlineLevel=9") && text.contains("-XX:InlineSmallCode=1000"),
        "the smaller inlining trees reach the child's JVM: " + text);
    assertTrue(text.contains("-XX:MaxDirectMemorySize=20971520"), "direct memory for the whole tier (4 MiB) and 16 more: " + text);
  }
}
