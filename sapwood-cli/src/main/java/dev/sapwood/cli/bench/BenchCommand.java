package dev.sapwood.cli.bench;

import dev.sapwood.Compression;
import dev.sapwood.Durability;
import dev.sapwood.bench.BenchConfig;
import dev.sapwood.bench.BenchRunner;
import dev.sapwood.bench.Json;
import dev.sapwood.bench.Report;
import dev.sapwood.bench.SapwoodEngine;
import dev.sapwood.bench.Sizes;
import dev.sapwood.bench.Workload;
import dev.sapwood.bench.WorkloadResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sapwood bench}: our db_bench. Runs the standard workloads against Sapwood only (the peers
 * are in the sapwood-bench module) and prints, per workload, ops/s, MB/s, latency percentiles,
 * write and space amplification and peak memory; optionally writes the results as JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Run db_bench-style workloads against Sapwood.",
        "Prints ops/s, MB/s, latency p50/p99/p99.9/max, write amplification (bytes written to the",
        "device / user bytes), space amplification (bytes on disk / user bytes) and peak RSS."})
public final class BenchCommand implements Callable<Integer> {
  static final String ALL = "fillseq,fillrandom,overwrite,readrandom,readseq,readreverse,"
      + "seekrandom,updaterandom,readwhilewriting,deleterandom";

  @Spec CommandSpec spec;

  @Option(names = "--benchmarks", paramLabel = "LIST",
      description = "Comma-separated workloads, run in order on one database (default ${DEFAULT-VALUE}); also"
          + " fillbulk (keys in order through Tree.bulkLoader, one thread; first, on an empty database),"
          + " txntransfer, txnupdate (transactions) and readsnapshot, readsnapshotop (snapshot reads).")
  String benchmarks = ALL;

  @Option(names = "--num", paramLabel = "N", description = "Keys, and writes per write workload; 1M, 20M accepted (default ${DEFAULT-VALUE}).")
  String num = "1000000";

  @Option(names = "--reads", paramLabel = "N", description = "Operations of readrandom, seekrandom, readwhilewriting (default: --num).")
  String reads = "0";

  @Option(names = "--key-size", description = "Key bytes, at least 8 (default ${DEFAULT-VALUE}).")
  int keySize = 16;

  @Option(names = "--value-size", description = "Value bytes, at least 8 (default ${DEFAULT-VALUE}).")
  int valueSize = 100;

  @Option(names = "--threads", description = "Threads per workload; readwhilewriting adds one writer (default ${DEFAULT-VALUE}).")
  int threads = 1;

  @Option(names = "--cache-size", paramLabel = "BYTES", description = "Node cache budget, e.g. 256M (default ${DEFAULT-VALUE}).")
  String cacheSize = "128M";

  @Option(names = "--durability", description = "NONE, ASYNC or SYNC: the durability of every write (default ${DEFAULT-VALUE}).")
  Durability durability = Durability.ASYNC;

  @Option(names = "--compression", description = "NONE, LZ4 or ZSTD (default ${DEFAULT-VALUE}).")
  Compression compression = Compression.LZ4;

  @Option(names = "--node-size", paramLabel = "BYTES", description = "Node size, e.g. 4M; unless --basement-size is given, the basement keeps the default's share of it (default: Sapwood's).")
  String nodeSize = "0";

  @Option(names = "--basement-size", paramLabel = "BYTES", description = "Basement (leaf partition) size, e.g. 4K (default: Sapwood's).")
  String basementSize = "0";

  @Option(names = "--seek-nexts", description = "Entries read after each seek of seekrandom (default ${DEFAULT-VALUE}).")
  int seekNexts = 10;

  @Option(names = "--seed", description = "Seed of key order and values (default ${DEFAULT-VALUE}).")
  long seed = 301;

  @Option(names = "--db", paramLabel = "DIR", description = "Database directory; must not exist (default: a new temporary directory, removed afterwards).")
  Path db;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results (with fillrandom's insert-rate timeline) as JSON.")
  Path json;

  @Option(names = "--no-progress", description = "No progress bar even on a terminal.")
  boolean noProgress;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    BenchConfig cfg;
    try {
      cfg = new BenchConfig(Workload.parseList(benchmarks), Sizes.count(num), Sizes.count(reads),
          keySize, valueSize, threads, Sizes.bytes(cacheSize), durability, compression,
          (int) Sizes.bytes(nodeSize), (int) Sizes.bytes(basementSize), seekNexts, seed, false);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    boolean temp = db == null;
    Path dir = temp ? Files.createTempDirectory("sapwood-bench-") : db;
    if (!temp && Files.exists(dir) && Files.list(dir).findAny().isPresent()) {
      throw new ParameterException(spec.commandLine(), "--db " + dir + " exists and is not empty");
    }
    String mode = "in-process, page cache not limited; database in " + dir;
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    Report.header(new PrintStream(header, true, StandardCharsets.UTF_8), cfg, mode);
    out.print(header.toString(StandardCharsets.UTF_8));
    out.println("Sapwood:    " + SapwoodEngine.sapwoodVersion() + "; updaterandom is a blind ADD_LONG update");
    out.flush();
    PrintStream bar = !noProgress && System.console() != null ? System.err : null;
    BenchRunner runner = new BenchRunner(cfg, bar, 1000);
    List<WorkloadResult> results;
    try {
      results = runner.run(SapwoodEngine.FACTORY, dir, r -> {
        out.println(Report.line(r));
        out.flush();
      });
    } finally {
      if (temp) {
        Sizes.deleteTree(dir);
      }
    }
    if (json != null) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("engine", "sapwood");
      doc.put("version", SapwoodEngine.sapwoodVersion());
      doc.put("config", Report.configMap(cfg, mode));
      List<Object> rs = new ArrayList<>();
      for (WorkloadResult r : results) {
        rs.add(Report.toMap(r, r.workload().equals("fillrandom")));
      }
      doc.put("results", rs);
      Files.writeString(json, Json.write(doc));
      out.println("JSON written to " + json);
    }
    out.flush();
    return 0;
  }
}
