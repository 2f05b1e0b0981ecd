package dev.sapwood.bench.peers;

import dev.sapwood.Compression;
import dev.sapwood.Durability;
import dev.sapwood.bench.BenchConfig;
import dev.sapwood.bench.BenchEngine;
import dev.sapwood.bench.BenchRunner;
import dev.sapwood.bench.EngineFactory;
import dev.sapwood.bench.Json;
import dev.sapwood.bench.ProcStats;
import dev.sapwood.bench.Report;
import dev.sapwood.bench.SapwoodEngine;
import dev.sapwood.bench.Sizes;
import dev.sapwood.bench.Workload;
import dev.sapwood.bench.WorkloadResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side run: the same workloads, keys, values, cache budget and durability against
 * Sapwood and its peers, one engine after another in this process, then one table of absolute
 * numbers and ratios (Sapwood / peer), the peers' versions and options, optional JSON and the
 * insert-rate PNG of fillrandom.
 *
 * <pre>
 * java ... dev.sapwood.bench.peers.PeerBench [--engines sapwood,rocksdb,lmdb,h2]
 *   (also rocksdb-optimistic, rocksdb-pessimistic: RocksDB's transaction databases)
 *   [--benchmarks LIST] [--num N] [--reads N] [--key-size 16] [--value-size 100] [--threads 1]
 *   [--cache-size 128M] [--durability ASYNC] [--compression LZ4] [--node-size BYTES]
 *   [--basement-size BYTES] [--seek-nexts 10] [--runs 1] [--dir DIR] [--keep-dir false] [--json FILE] [--png FILE] [--sample-ms 250]
 * </pre>
 *
 * <p>{@code --keep-dir true} leaves each engine's files under {@code DIR/ENGINE} after its run (for
 * {@code sapwood dump} or {@code stats} on what a run left); by default they are deleted.
 */
public final class PeerBench {
  static final String MODE = "in-process, one engine after another; page cache not limited"
      + " (no memory cgroup), so reads beyond the cache may be served from the OS page cache";

  static final Map<String, EngineFactory> ENGINES = new LinkedHashMap<>();

  static {
    ENGINES.put("sapwood", SapwoodEngine.FACTORY);
    ENGINES.put("rocksdb", RocksDbEngine.FACTORY);
    ENGINES.put("rocksdb-optimistic", RocksDbEngine.OPTIMISTIC_FACTORY);
    ENGINES.put("rocksdb-pessimistic", RocksDbEngine.PESSIMISTIC_FACTORY);
    ENGINES.put("lmdb", LmdbEngine.FACTORY);
    ENGINES.put("h2", H2Engine.FACTORY);
  }

  /** The engines run unless --engines says otherwise (RocksDB's transactional flavours are not). */
  static final List<String> DEFAULT_ENGINES = List.of("sapwood", "rocksdb", "lmdb", "h2");

  private PeerBench() {}

  public static void main(String[] args) throws IOException {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
    List<String> engines = DEFAULT_ENGINES;
    BenchConfig cfg = BenchConfig.defaults(Workload.parseList(
        "fillseq,fillrandom,overwrite,readrandom,readseq,readreverse,seekrandom,updaterandom,"
            + "readwhilewriting,deleterandom"));
    int runs = 1;
    Path dir = Path.of("bench-data");
    Path json = null;
    Path png = null;
    long sampleMs = 250;
    String isolate = "none";
    long memoryLimit = 0;
    String childJavaOpts = "-Xmx2g";
    Map<String, String> engineJavaOpts = new LinkedHashMap<>();
    long childTimeout = 0;
    Path childOut = null;
    List<String> passOn = new ArrayList<>();
    List<Workload> b = cfg.benchmarks();
    long num = cfg.num();
    long reads = 0;
    int keySize = 16;
    int valueSize = 100;
    int threads = 1;
    long cache = cfg.cacheSize();
    Durability dur = Durability.ASYNC;
    Compression comp = Compression.LZ4;
    int nodeSize = 0;
    int basementSize = 0;
    int seekNexts = 10;
    boolean keepDir = false;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String v = i + 1 < args.length ? args[i + 1] : null;
        if (v == null && a.startsWith("--")) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        i++;
        if (a.startsWith("--child-java-opts-")) {
          engineJavaOpts.put(a.substring("--child-java-opts-".length()), v);
          continue;
        }
        if (!List.of("--engines", "--runs", "--json", "--png", "--isolate", "--memory-limit",
            "--child-java-opts", "--child-out", "--child-timeout").contains(a)) {
          passOn.add(a);
          passOn.add(v);
        }
        switch (a) {
          case "--engines" -> {
            engines = Arrays.stream(v.split(",")).map(String::trim).toList();
            for (String e : engines) {
              if (!ENGINES.containsKey(e)) {
                throw new IllegalArgumentException("unknown engine " + e + "; known " + ENGINES.keySet());
              }
            }
          }
          case "--benchmarks" -> b = Workload.parseList(v);
          case "--num" -> num = Sizes.count(v);
          case "--reads" -> reads = Sizes.count(v);
          case "--key-size" -> keySize = Integer.parseInt(v);
          case "--value-size" -> valueSize = Integer.parseInt(v);
          case "--threads" -> threads = Integer.parseInt(v);
          case "--cache-size" -> cache = Sizes.bytes(v);
          case "--durability" -> dur = Durability.valueOf(v.toUpperCase(Locale.ROOT));
          case "--compression" -> comp = Compression.valueOf(v.toUpperCase(Locale.ROOT));
          case "--node-size" -> nodeSize = (int) Sizes.bytes(v);
          case "--basement-size" -> basementSize = (int) Sizes.bytes(v);
          case "--seek-nexts" -> seekNexts = Integer.parseInt(v);
          case "--runs" -> runs = Integer.parseInt(v);
          case "--dir" -> dir = Path.of(v);
          case "--keep-dir" -> keepDir = Boolean.parseBoolean(v);
          case "--json" -> json = Path.of(v);
          case "--png" -> png = Path.of(v);
          case "--sample-ms" -> sampleMs = Long.parseLong(v);
          case "--isolate" -> {
            isolate = v;
            if (!List.of("none", "process", "cgroup").contains(v)) {
              throw new IllegalArgumentException("--isolate is none, process or cgroup");
            }
          }
          case "--memory-limit" -> memoryLimit = Sizes.bytes(v);
          case "--child-java-opts" -> childJavaOpts = v;
          case "--child-out" -> childOut = Path.of(v);
          case "--child-timeout" -> childTimeout = Long.parseLong(v);
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      cfg = new BenchConfig(b, num, reads, keySize, valueSize, threads, cache, dur, comp, nodeSize,
          basementSize, seekNexts, 301, false);
    } catch (IllegalArgumentException e) {
      err.println("peer bench: " + e.getMessage());
      return 2;
    }

    for (String e : engineJavaOpts.keySet()) {
      if (!ENGINES.containsKey(e)) {
        err.println("peer bench: --child-java-opts-" + e + ": unknown engine; known " + ENGINES.keySet());
        return 2;
      }
    }
    childJavaOpts = BoundedMemory.expand(childJavaOpts, cfg.cacheSize());
    long boundedCache = cfg.cacheSize();
    engineJavaOpts.replaceAll((e, o) -> BoundedMemory.expand(o, boundedCache));
    StringBuilder optsNote = new StringBuilder(childJavaOpts);
    engineJavaOpts.forEach((e, o) -> optsNote.append("; ").append(e).append(": ").append(o));
    if (isolate.equals("cgroup") && memoryLimit <= 0) {
      memoryLimit = cfg.cacheSize() + cfg.cacheSize() * 3 / 10 + (512L << 20);
    }
    String mode = switch (isolate) {
      case "process" -> "each engine in its own child JVM (" + optsNote + "); page cache not limited";
      case "cgroup" -> "each engine in its own child JVM (" + optsNote + ") inside a memory cgroup"
          + " limited to " + Report.bytes(memoryLimit) + " (process memory + page cache)";
      default -> MODE;
    };
    if (childOut != null) {
      mode = "child";
    } else {
      Report.header(out, cfg, mode);
    }
    long baseline = ProcStats.rss();
    if (childOut == null) {
      out.printf("Durability: %s for every engine: %s%n", dur, durabilityNote(dur));
      out.printf("Runs:       %d (tables show the median of each number)%n", runs);
      out.printf("JVM RSS before any engine: %s%n%n", Report.bytes(baseline));
    }

    Map<String, List<List<WorkloadResult>>> all = new LinkedHashMap<>();
    Map<String, String[]> about = new LinkedHashMap<>();
    Map<String, List<double[]>> partialTimelines = new LinkedHashMap<>();
    PrintStream bar = System.console() != null ? err : null;
    for (int run = 0; run < runs; run++) {
      for (String name : engines) {
        EngineFactory f = ENGINES.get(name);
        Path d = dir.resolve(name);
        Sizes.deleteTree(d);
        if (childOut == null) {
          out.printf("== %s (run %d of %d)%n", name, run + 1, runs);
        }
        if (!isolate.equals("none") && childOut == null) {
          ChildRun.Outcome o = ChildRun.run(name, passOn, engineJavaOpts.getOrDefault(name, childJavaOpts),
              isolate.equals("cgroup") ? memoryLimit : 0, childTimeout, out);
          all.computeIfAbsent(name, k -> new ArrayList<>()).add(o.results());
          if (o.about() != null) {
            about.putIfAbsent(name, o.about());
          }
          if (!o.fillrandomTimeline().isEmpty()) {
            partialTimelines.putIfAbsent(name, o.fillrandomTimeline());
          }
          if (!keepDir) {
            Sizes.deleteTree(d);
          }
          continue;
        }
        BenchRunner runner = new BenchRunner(cfg, bar, sampleMs);
        if (childOut != null) {
          runner.onSample((label, smp) -> {
            if (label.equals("fillrandom")) {
              out.printf(Locale.ROOT, "%s%.0f %.1f%n", ChildRun.TIMELINE_PREFIX, smp[0], smp[1]);
              out.flush();
            }
          });
        }
        List<WorkloadResult> rs = runner.run(new EngineFactory() {
          @Override
          public String name() {
            return f.name();
          }

          @Override
          public BenchEngine open(Path p, dev.sapwood.bench.EngineSettings s) {
            BenchEngine e = f.open(p, s);
            about.putIfAbsent(name, new String[] {e.version(), e.describe(), e.updateMethod(),
                e.txnMethod() == null ? "none (txntransfer, txnupdate skipped)" : e.txnMethod()});
            return e;
          }
        }, d, r -> out.println(Report.line(r)));
        all.computeIfAbsent(name, k -> new ArrayList<>()).add(rs);
        if (!keepDir) {
          Sizes.deleteTree(d);
        }
      }
    }

    if (childOut != null) {
      String name = engines.get(0);
      ChildRun.write(childOut, all.get(name).get(0), about.get(name));
      return 0;
    }
    out.println();
    out.println("Engines:");
    for (Map.Entry<String, String[]> e : about.entrySet()) {
      out.printf("  %-8s %s%n           options: %s%n           updaterandom: %s%n", e.getKey(),
          e.getValue()[0], e.getValue()[1], e.getValue()[2]);
      if (e.getValue().length > 3) {
        out.printf("           transactions: %s%n", e.getValue()[3]);
      }
    }
    Map<String, List<WorkloadResult>> med = new LinkedHashMap<>();
    for (Map.Entry<String, List<List<WorkloadResult>>> e : all.entrySet()) {
      List<List<WorkloadResult>> done = e.getValue().stream().filter(l -> !l.isEmpty()).toList();
      med.put(e.getKey(), done.isEmpty() ? List.of() : PeerTables.medians(done));
    }
    out.println();
    PeerTables.table(out, "ops/s (ratio = sapwood / peer)", cfg.benchmarks(), med, WorkloadResult::opsPerSec, "%,.0f", true);
    PeerTables.table(out, "p99 latency, us", cfg.benchmarks(), med, WorkloadResult::latencyP99Micros, "%.1f", false);
    PeerTables.table(out, "p99.9 latency, us", cfg.benchmarks(), med, WorkloadResult::latencyP999Micros, "%.1f", false);
    PeerTables.table(out, "write amplification (bytes written to storage incl. settle / user bytes)",
        PeerTables.writes(cfg.benchmarks()), med, WorkloadResult::writeAmp, "%.2f", false);
    PeerTables.table(out, "space amplification (bytes on disk / live user bytes)", cfg.benchmarks(), med,
        WorkloadResult::spaceAmp, "%.2f", false);
    PeerTables.table(out, "peak RSS since the engine opened, MiB", cfg.benchmarks(), med,
        r -> r.peakRssBytes() / 1048576.0, "%.0f", false);
    PeerTables.table(out, "GC pauses, % of the timed operations' wall time", cfg.benchmarks(), med,
        r -> 100 * r.gcShare(), "%.1f", false);

    if (json != null) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("config", Report.configMap(cfg, mode));
      doc.put("jvm_rss_baseline_bytes", baseline);
      Map<String, Object> eng = new LinkedHashMap<>();
      for (Map.Entry<String, String[]> e : about.entrySet()) {
        eng.put(e.getKey(), Map.of("version", e.getValue()[0], "options", e.getValue()[1],
            "updaterandom", e.getValue()[2]));
      }
      doc.put("engines", eng);
      List<Object> rs = new ArrayList<>();
      for (Map.Entry<String, List<List<WorkloadResult>>> e : all.entrySet()) {
        for (List<WorkloadResult> l : e.getValue()) {
          for (WorkloadResult r : l) {
            rs.add(Report.toMap(r, r.workload().equals("fillrandom")));
          }
        }
      }
      doc.put("results", rs);
      Files.writeString(json, Json.write(doc));
      out.println("JSON written to " + json);
    }
    if (png != null) {
      Map<String, List<double[]>> lines = new LinkedHashMap<>();
      for (Map.Entry<String, List<List<WorkloadResult>>> e : all.entrySet()) {
        for (WorkloadResult r : e.getValue().get(0)) {
          if (r.workload().equals("fillrandom")) {
            lines.put(e.getKey(), r.timeline());
          }
        }
        if (!lines.containsKey(e.getKey()) && partialTimelines.containsKey(e.getKey())) {
          lines.put(e.getKey() + " (stopped: timeout or failure)", partialTimelines.get(e.getKey()));
        }
      }
      InsertRateChart.write(png, String.format(Locale.ROOT,
          "fillrandom: %,d keys of %d+%d bytes, cache %s, %s", cfg.num(), cfg.keySize(),
          cfg.valueSize(), Report.bytes(cfg.cacheSize()), isolate.equals("none") ? "in-process"
              : isolate.equals("process") ? "child processes" : "memory cgroup " + Report.bytes(memoryLimit)),
          lines, 4);
      out.println("Chart written to " + png);
    }
    return 0;
  }

  static String durabilityNote(Durability d) {
    return switch (d) {
      case NONE -> "no log, no per-write fsync (Sapwood NONE: durable at checkpoints; RocksDB WAL"
          + " disabled; LMDB MDB_NOSYNC; H2 auto-commit about every second)";
      case ASYNC -> "no per-write fsync (Sapwood ASYNC: log in the OS, synced every second;"
          + " RocksDB WAL on, sync=false; LMDB MDB_NOSYNC; H2 auto-commit about every second)";
      case SYNC -> "fsync per write (Sapwood SYNC; RocksDB sync=true; LMDB default sync;"
          + " H2 commit+sync per write)";
    };
  }
}
