package dev.sapwood.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {
  @TempDir
  Path dir;

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = new CommandLine(new BenchCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void runsEveryWorkloadOnATinyCountAndWritesJson() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path json = dir.resolve("r.json");
    int rc = run(out, err, "--num", "2000", "--cache-size", "4M", "--durability", "NONE",
        "--db", dir.resolve("db").toString(), "--json", json.toString(), "--no-progress");
    assertEquals(0, rc, err.toString());
    String text = out.toString();
    for (String w : BenchCommand.ALL.split(",")) {
      assertTrue(text.contains(w + " "), "line for " + w + " in\n" + text);
    }
    assertTrue(text.contains("ops/s") && text.contains("WA ") && text.contains("peakRSS"), text);
    String j = Files.readString(json);
    assertTrue(j.contains("\"workload\": \"updaterandom\""), j);
    assertTrue(j.contains("\"timeline\""), j);
  }

  @Test
  void refusesAnUnknownBenchmark() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = run(out, err, "--benchmarks", "fillrandom,nosuch", "--num", "10");
    assertEquals(2, rc);
    assertTrue(err.toString().contains("unknown benchmark 'nosuch'"), err.toString());
  }
}
