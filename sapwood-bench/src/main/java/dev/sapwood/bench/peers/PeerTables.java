package dev.sapwood.bench.peers;

import dev.sapwood.bench.Workload;
import dev.sapwood.bench.WorkloadResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The peer bench's summary: per engine, the median of each number over the runs, printed as one
 * table per number with a row per workload (a workload run twice gets a second row, "#2").
 */
final class PeerTables {
  private PeerTables() {}

  static List<Workload> writes(List<Workload> ws) {
    return ws.stream().filter(Workload::writes).distinct().toList();
  }

  /** Per workload position, a result whose every number is the median over the runs. */
  static List<WorkloadResult> medians(List<List<WorkloadResult>> runs) {
    List<WorkloadResult> out = new ArrayList<>();
    for (int i = 0; i < runs.get(0).size(); i++) {
      final int at = i;
      List<WorkloadResult> rs = runs.stream().map(l -> l.get(at)).toList();
      WorkloadResult f = rs.get(0);
      long ops = (long) med(rs, r -> r.ops());
      // seconds chosen so that opsPerSec() is the median throughput
      out.add(new WorkloadResult(f.engine(), f.workload(), ops,
          ops / Math.max(1e-9, med(rs, WorkloadResult::opsPerSec)), (long) med(rs, r -> r.userBytes()),
          med(rs, WorkloadResult::latencyP50Micros), med(rs, WorkloadResult::latencyP99Micros),
          med(rs, WorkloadResult::latencyP999Micros), med(rs, WorkloadResult::latencyMaxMicros),
          (long) med(rs, r -> r.writtenBytes()), (long) med(rs, r -> r.userBytesWritten()),
          med(rs, WorkloadResult::settleSeconds), (long) med(rs, r -> r.diskBytes()),
          (long) med(rs, r -> r.liveUserBytes()), (long) med(rs, r -> r.peakRssBytes()),
          med(rs, WorkloadResult::gcPauseSeconds), f.note(), f.timeline()));
    }
    return out;
  }

  static double med(List<WorkloadResult> rs, ToDoubleFunction<WorkloadResult> f) {
    double[] v = rs.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static void table(PrintStream out, String title, List<Workload> ws,
      Map<String, List<WorkloadResult>> med, ToDoubleFunction<WorkloadResult> f, String fmt,
      boolean ratios) {
    out.println(title);
    StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "| %-16s", "workload"));
    for (String e : med.keySet()) {
      h.append(String.format(Locale.ROOT, " | %22s", e));
    }
    out.println(h.append(" |"));
    out.println(h.toString().replaceAll("[^|]", "-"));
    List<String> seen = new ArrayList<>();
    for (Workload w : ws) {
      int occurrence = (int) seen.stream().filter(s -> s.equals(w.label())).count();
      seen.add(w.label());
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %-16s",
          w.label() + (occurrence > 0 ? " #" + (occurrence + 1) : "")));
      WorkloadResult base = pick(med.get("sapwood"), w.label(), occurrence);
      for (String e : med.keySet()) {
        WorkloadResult r = pick(med.get(e), w.label(), occurrence);
        String cell = "-";
        if (r != null && !Double.isNaN(f.applyAsDouble(r))) {
          cell = String.format(Locale.ROOT, fmt, f.applyAsDouble(r));
          if (ratios && base != null && !e.equals("sapwood") && f.applyAsDouble(r) > 0) {
            cell += String.format(Locale.ROOT, " (%.2fx)", f.applyAsDouble(base) / f.applyAsDouble(r));
          }
        }
        row.append(String.format(Locale.ROOT, " | %22s", cell));
      }
      out.println(row.append(" |"));
    }
    out.println();
  }

  static WorkloadResult pick(List<WorkloadResult> rs, String label, int occurrence) {
    if (rs == null) {
      return null;
    }
    int n = 0;
    for (WorkloadResult r : rs) {
      if (r.workload().equals(label) && n++ == occurrence) {
        return r;
      }
    }
    return null;
  }
}
