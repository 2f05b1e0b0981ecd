package dev.sapwood.bench.peers;

import dev.sapwood.bench.Report;
import dev.sapwood.bench.WorkloadResult;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one engine's workloads in a child JVM, optionally inside a Linux memory cgroup (v1,
 * /sys/fs/cgroup/memory; root) whose limit also caps the page cache the child's files use, so
 * that "beyond the cache" is not served from the OS cache. The child is this same class path's
 * {@link PeerBench} with {@code --engines NAME --child-out FILE}; it writes its results there
 * (Java serialization) and the parent reads them back.
 */
final class ChildRun {
  static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup/memory");

  private ChildRun() {}

  /** Lines the child prints for each fillrandom sample, so a child killed on timeout still draws. */
  static final String TIMELINE_PREFIX = "#timeline ";

  /**
   * The child's results (empty if it was stopped on timeout), its engine description (null then),
   * and the fillrandom samples it streamed.
   */
  record Outcome(List<WorkloadResult> results, String[] about, List<double[]> fillrandomTimeline) {}

  /** Runs the child; {@code timeoutSeconds} > 0 kills it after that long. */
  static Outcome run(String engine, List<String> args, String javaOpts, long memoryLimit,
      long timeoutSeconds, PrintStream out) throws IOException {
    Path result = Files.createTempFile("sapwood-bench-" + engine, ".ser");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(javaOpts.trim().split("\\s+")));
    cmd.addAll(List.of("--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens",
        "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        PeerBench.class.getName()));
    cmd.addAll(args);
    cmd.addAll(List.of("--engines", engine, "--runs", "1", "--child-out", result.toString()));
    Path cg = null;
    if (memoryLimit > 0) {
      cg = CGROUP_ROOT.resolve("sapwood-bench-" + engine + "-" + ProcessHandle.current().pid());
      try {
        Files.createDirectories(cg);
        Files.writeString(cg.resolve("memory.limit_in_bytes"), Long.toString(memoryLimit));
      } catch (IOException e) {
        throw new IOException("cannot create memory cgroup " + cg
            + " (needs root and cgroup v1 memory controller): " + e.getMessage(), e);
      }
      List<String> wrapped = new ArrayList<>(List.of("sh", "-c",
          "echo $$ > \"$0\" && exec \"$@\"", cg.resolve("cgroup.procs").toString()));
      wrapped.addAll(cmd);
      cmd = wrapped;
    }
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      BoundedMemory.environment(javaOpts, pb.environment());
      Process p = pb.start();
      List<double[]> timeline = java.util.Collections.synchronizedList(new ArrayList<>());
      Thread pump = new Thread(() -> {
        try (java.io.BufferedReader in = new java.io.BufferedReader(
            new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            if (line.startsWith(TIMELINE_PREFIX)) {
              String[] f = line.substring(TIMELINE_PREFIX.length()).trim().split(" ");
              timeline.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])});
            } else {
              out.println(line);
            }
          }
        } catch (IOException e) {
          out.println("(reading the " + engine + " child's output failed: " + e.getMessage() + ")");
        }
      }, "child-output");
      pump.start();
      boolean finished = timeoutSeconds > 0 ? p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS) : p.waitFor() >= 0;
      if (!finished) {
        p.destroyForcibly().waitFor();
      }
      pump.join();
      if (cg != null) {
        long peak = Long.parseLong(Files.readString(cg.resolve("memory.max_usage_in_bytes"),
            StandardCharsets.US_ASCII).trim());
        out.printf("   (cgroup peak usage incl. page cache: %s of %s)%n", Report.bytes(peak),
            Report.bytes(memoryLimit));
      }
      if (!finished) {
        double keys = timeline.isEmpty() ? 0 : timeline.get(timeline.size() - 1)[0];
        out.printf("   (%s stopped after the %d s timeout; fillrandom had loaded %,.0f keys)%n",
            engine, timeoutSeconds, keys);
        return new Outcome(List.of(), null, new ArrayList<>(timeline));
      }
      if (p.exitValue() != 0) {
        double keys = timeline.isEmpty() ? 0 : timeline.get(timeline.size() - 1)[0];
        out.printf("   (%s child FAILED with exit status %d, see its output above; fillrandom had"
            + " loaded %,.0f keys)%n", engine, p.exitValue(), keys);
        return new Outcome(List.of(), null, new ArrayList<>(timeline));
      }
      Outcome o = read(result);
      return new Outcome(o.results(), o.about(), new ArrayList<>(timeline));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the " + engine + " child", e);
    } finally {
      Files.deleteIfExists(result);
      if (cg != null) {
        Files.deleteIfExists(cg);
      }
    }
  }

  static void write(Path file, List<WorkloadResult> results, String[] about) {
    try (ObjectOutputStream o = new ObjectOutputStream(Files.newOutputStream(file))) {
      o.writeObject(new ArrayList<>(results));
      o.writeObject(about);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Outcome read(Path file) {
    try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file))) {
      List<WorkloadResult> rs = (List<WorkloadResult>) in.readObject();
      return new Outcome(rs, (String[]) in.readObject(), List.of());
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException("reading the child's results from " + file, e);
    }
  }
}
