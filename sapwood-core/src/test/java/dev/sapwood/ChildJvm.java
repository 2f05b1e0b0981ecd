package dev.sapwood;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A {@link CrashChild} running in its own JVM (same java, same test classpath). Its stdout goes
 * straight to a file (not a pipe: when a process dies, the JDK drains its pipe on another thread,
 * and lines were seen to go missing), which the parent reads; only complete lines count, so a line
 * cut by the kill is ignored. Killing it is SIGKILL ({@link Process#destroyForcibly()}).
 *
 * <p>Public, with {@link #start(Class, Path, Path, String...)} for any main class, because other
 * modules' tests use it too (sapwood-core's test jar carries this class alone).
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path stdout;
  /** The complete lines read from {@link #stdout} so far, and the bytes of them read. */
  private final List<String> seen = new ArrayList<>();
  private long consumed;

  private ChildJvm(Process process, Path stdout) {
    this.process = process;
    this.stdout = stdout;
  }

  /** Starts a child whose stdout and stderr go to {@code stdout} and {@code stderr} (truncated first). */
  static ChildJvm start(Path stdout, Path stderr, String... args) throws IOException {
    return start(CrashChild.class, stdout, stderr, args);
  }

  /** Starts {@code main} with {@code args}; its stdout and stderr go to the given files (truncated first). */
  public static ChildJvm start(Class<?> main, Path stdout, Path stderr, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Xshare:auto", "-cp", cp, main.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    return new ChildJvm(pb.start(), stdout);
  }

  /** Waits up to {@code millis} for a line matching {@code p}; true if one came. */
  public boolean awaitLine(Predicate<String> p, long millis) throws InterruptedException, IOException {
    return awaitLines(p, 1, millis) >= 1;
  }

  /**
   * Waits until {@code n} of the lines printed so far match {@code p}, the process exits, or
   * {@code millis} pass; returns how many matched then (at least {@code n} if they came).
   */
  public int awaitLines(Predicate<String> p, int n, long millis) throws InterruptedException, IOException {
    long deadline = System.currentTimeMillis() + millis;
    int matched = 0;
    int checked = 0;
    for (;;) {
      lines();
      for (; checked < seen.size(); checked++) {
        if (p.test(seen.get(checked)) && ++matched >= n) {
          return matched;
        }
      }
      if (!process.isAlive() || System.currentTimeMillis() > deadline) {
        return matched;
      }
      Thread.sleep(1);
    }
  }

  /** SIGKILL, then waits for the process; returns every complete line it printed. */
  public List<String> killAndCollect() throws InterruptedException, IOException {
    process.destroyForcibly();
    process.waitFor();
    return lines();
  }

  /** Waits for the process to exit by itself (killing it after {@code millis}). */
  List<String> awaitExit(long millis) throws InterruptedException, IOException {
    if (!process.waitFor(millis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
    return lines();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * The complete lines printed so far. Each call reads only the bytes after the last complete line
   * it had (waiting for hundreds of lines polls every millisecond: rereading the whole file each
   * time took the parent a core's worth of CPU beside the child).
   */
  public List<String> lines() throws IOException {
    try (FileChannel ch = FileChannel.open(stdout, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > consumed) {
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size - consumed));
        while (buf.hasRemaining() && ch.read(buf, consumed + buf.position()) >= 0) {
          // read to the size seen; the child may append more, read at the next call
        }
        byte[] b = buf.array();
        int start = 0;
        for (int i = 0; i < buf.position(); i++) {
          if (b[i] == '\n') {
            seen.add(new String(b, start, i - start, US_ASCII));
            start = i + 1;
          }
        }
        consumed += start; // a line not yet ended is read again, whole, next time
      }
    }
    return new ArrayList<>(seen);
  }

  @Override
  public void close() throws IOException {
    if (process.isAlive()) {
      process.destroyForcibly();
      boolean interrupted = false;
      while (true) {
        try {
          process.waitFor();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the child must be gone before its files are; the flag is kept
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
