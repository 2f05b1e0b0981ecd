package dev.sapwood.kafka;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A main class run in its own JVM on the test class path, its output sent to a file (complete lines
 * only are read, so a line cut by the kill is ignored), killed with SIGKILL. A small version of
 * sapwood-core's test utility of the same name, which is package-private there and runs one fixed
 * main class.
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path stdout;

  private ChildJvm(Process process, Path stdout) {
    this.process = process;
    this.stdout = stdout;
  }

  static ChildJvm start(Class<?> main, Path stdout, Path stderr, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", cp, main.getName()));
    cmd.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start(),
        stdout);
  }

  /** Waits up to {@code millis} for a line matching {@code p}; true if one came. */
  boolean awaitLine(Predicate<String> p, long millis) throws InterruptedException, IOException {
    long deadline = System.currentTimeMillis() + millis;
    for (;;) {
      for (String l : lines()) {
        if (p.test(l)) {
          return true;
        }
      }
      if (!process.isAlive() || System.currentTimeMillis() > deadline) {
        return false;
      }
      Thread.sleep(2);
    }
  }

  /** SIGKILL, then waits for the process; returns every complete line it printed. */
  List<String> killAndCollect() throws InterruptedException, IOException {
    process.destroyForcibly();
    process.waitFor(60, TimeUnit.SECONDS);
    return lines();
  }

  List<String> lines() throws IOException {
    String text = new String(Files.readAllBytes(stdout), US_ASCII);
    int end = text.lastIndexOf('\n');
    return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
  }

  @Override
  public void close() throws IOException {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // closing gives up the wait and keeps the interrupt
      }
    }
  }
}
