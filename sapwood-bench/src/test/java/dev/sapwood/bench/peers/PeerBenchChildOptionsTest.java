package dev.sapwood.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerBenchChildOptionsTest {
  @TempDir Path dir;

  @Test
  void anEnginesOwnChildJavaOptionsReachItsChildJvm() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    int rc = PeerBench.run(new String[] {"--engines", "sapwood", "--isolate", "process",
        "--child-java-opts", "-Xmx200m", "--child-java-opts-sapwood",
        "-Xmx96m -XX:+PrintCommandLineFlags", "--num", "2000", "--benchmarks", "fillrandom",
        "--dir", dir.toString()}, out, out);
    String text = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, text);
    assertTrue(text.contains("-XX:MaxHeapSize=100663296"), text);
    assertTrue(text.contains("-Xmx200m; sapwood: -Xmx96m"), text);
  }

  @Test
  void childJavaOptionsForAnUnknownEngineAreRefused() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    int rc = PeerBench.run(new String[] {"--child-java-opts-nosuch", "-Xmx1g"}, out, out);
    assertEquals(2, rc);
    assertTrue(buf.toString(StandardCharsets.UTF_8).contains("unknown engine"));
  }
}
