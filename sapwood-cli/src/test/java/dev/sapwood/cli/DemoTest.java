package dev.sapwood.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
  @TempDir Path tmp;

  private static final class Captured {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
    final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);

    int run(String... args) {
      return Main.run(args, outStream, errStream);
    }

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void demoRunsEndToEndAndCanBeRepeated() {
    Path dir = tmp.resolve("demo-db");
    Captured first = new Captured();
    assertEquals(0, first.run("demo", "--keys", "5000", dir.toString()), () -> first.out() + first.err());
    assertTrue(first.out().contains("All checks passed."), first::out);
    assertTrue(first.out().contains("ops/s"), first::out);
    assertTrue(first.out().contains("Size on disk"), first::out);
    assertTrue(Files.exists(dir.resolve(Demo.MARKER)));

    Captured second = new Captured();
    assertEquals(0, second.run("demo", "--keys", "3000", dir.toString()), () -> second.out() + second.err());
    assertTrue(second.out().contains("All checks passed."), "a second run replaces the first demo's database");
  }

  @Test
  void demoRefusesADirectoryItDidNotMake() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("precious"));
    Files.writeString(dir.resolve("notes.txt"), "keep me");
    Captured c = new Captured();
    assertEquals(1, c.run("demo", "--keys", "1000", dir.toString()));
    assertTrue(c.err().contains("not made by the demo"), c::err);
    assertTrue(Files.exists(dir.resolve("notes.txt")));
  }

  @Test
  void unknownCommandPrintsUsageAndExitsTwo() {
    Captured c = new Captured();
    assertEquals(2, c.run("frobnicate"));
    assertTrue(c.err().contains("Usage: sapwood"), c::err);
    assertEquals(2, new Captured().run());
  }
}
