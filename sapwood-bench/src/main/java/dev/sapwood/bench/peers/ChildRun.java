package dev.sapwood.bench.peers;

import dev.sapwood.bench.Report;
import dev.sapwood.bench.WorkloadResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
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

  record Outcome(List<WorkloadResult> results, String[] about) {}

  static Outcome run(String engine, List<String> args, String javaOpts, long memoryLimit,
      Path dir, PrintStream out) throws IOException {
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
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (InputStream in = p.getInputStream()) {
        in.transferTo(new OutputStream() {
          @Override
          public void write(int b) {
            out.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            out.write(b, off, len);
          }
        });
      }
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IllegalStateException(engine + " child exited with status " + rc);
      }
      if (cg != null) {
        long peak = Long.parseLong(Files.readString(cg.resolve("memory.max_usage_in_bytes"),
            StandardCharsets.US_ASCII).trim());
        out.printf("   (cgroup peak usage incl. page cache: %s of %s)%n", Report.bytes(peak),
            Report.bytes(memoryLimit));
      }
      return read(result);
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
      return new Outcome(rs, (String[]) in.readObject());
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException("reading the child's results from " + file, e);
    }
  }
}
