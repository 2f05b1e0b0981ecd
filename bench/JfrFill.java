import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * The fill's heap cost from one bench run under JFR, streamed (the JSON of a profile recording is
 * gigabytes): bytes allocated per put (jdk.ThreadAllocationStatistics differenced across the fill,
 * and jdk.ObjectAllocationSample weights by the first Sapwood frames), collections by kind with
 * their pauses, GC CPU (jdk.GCCPUTime), within the fillrandom window (from the first allocation
 * sample under TreeImpl, for the fill's seconds in the bench's JSON).
 * Usage: child options "-XX:StartFlightRecording=filename=R.jfr,settings=profile,
 *          jdk.ThreadAllocationStatistics#period=1s"; java bench/JfrFill.java R.jfr R.json [top]
 */
public class JfrFill {
  public static void main(String[] a) throws Exception {
    Path jfr = Path.of(a[0]);
    String js = Files.readString(Path.of(a[1]));
    int top = a.length > 2 ? Integer.parseInt(a[2]) : 12;
    int at = js.indexOf("\"workload\": \"fillrandom\"");
    double ops = num(js, at, "ops"), secs = num(js, at, "seconds"), gcBench = num(js, at, "gc_pause_seconds");
    double rss = num(js, at, "peak_rss_bytes");
    Instant start = null;
    try (RecordingFile rf = new RecordingFile(jfr)) {
      while (rf.hasMoreEvents()) {
        RecordedEvent e = rf.readEvent();
        if (e.getEventType().getName().equals("jdk.ObjectAllocationSample") && under(e, "TreeImpl")
            && (start == null || e.getStartTime().isBefore(start))) {
          start = e.getStartTime();
        }
      }
    }
    Instant end = start.plus(Duration.ofMillis((long) (secs * 1000)));
    double sampled = 0, cpu = 0;
    Map<String, Double> by = new HashMap<>();
    Map<String, Integer> gcs = new LinkedHashMap<>();
    Map<String, Double> pause = new HashMap<>();
    Map<Long, Long> before = new HashMap<>(), after = new HashMap<>();
    try (RecordingFile rf = new RecordingFile(jfr)) {
      while (rf.hasMoreEvents()) {
        RecordedEvent e = rf.readEvent();
        String t = e.getEventType().getName();
        Instant when = e.getStartTime();
        if (t.equals("jdk.ThreadAllocationStatistics")) {
          long th = e.getThread("thread") == null ? -1 : e.getThread("thread").getId();
          if (!when.isAfter(start)) {
            before.put(th, e.getLong("allocated"));
          } else if (!when.isBefore(end)) {
            after.putIfAbsent(th, e.getLong("allocated"));
          } else {
            before.putIfAbsent(th, 0L);
          }
          continue;
        }
        if (when.isBefore(start) || when.isAfter(end)) {
          continue;
        }
        switch (t) {
          case "jdk.ObjectAllocationSample" -> {
            double w = e.getLong("weight");
            sampled += w;
            List<String> sw = new ArrayList<>();
            if (e.getStackTrace() != null) {
              for (RecordedFrame f : e.getStackTrace().getFrames()) {
                String cls = f.getMethod().getType().getName();
                if (cls.contains("sapwood") && sw.size() < 3) {
                  sw.add(cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethod().getName());
                }
              }
            }
            by.merge(String.join(" < ", sw), w, Double::sum);
          }
          case "jdk.GCCPUTime" -> cpu += (e.getLong("userTime") + e.getLong("systemTime")) / 1e9;
          case "jdk.GarbageCollection" -> {
            gcs.merge(e.getString("name"), 1, Integer::sum);
            pause.merge(e.getString("name"), e.getDuration("sumOfPauses").toNanos() / 1e9, Double::sum);
          }
          default -> { }
        }
      }
    }
    long exact = 0;
    for (var b : before.entrySet()) {
      if (after.containsKey(b.getKey())) {
        exact += after.get(b.getKey()) - b.getValue();
      }
    }
    double pauses = pause.values().stream().mapToDouble(Double::doubleValue).sum();
    StringBuilder kinds = new StringBuilder();
    gcs.forEach((k, n) -> kinds.append(String.format("%s%s %d x %.1f ms", kinds.length() > 0 ? ", " : "", k, n,
        1e3 * pause.get(k) / n)));
    System.out.printf("fill %,.0f puts in %.1f s (%,.0f/s): allocated %,.0f B/put (thread totals; samples %,.0f);"
        + " GC pauses %.1f%% of the wall (%s); GC CPU %.1f s = %.2f us/put; bench GC share %.1f%%; peak RSS %.0f MiB%n",
        ops, secs, ops / secs, exact / ops, sampled / ops, 100 * pauses / secs, kinds, cpu, 1e6 * cpu / ops,
        100 * gcBench / secs, rss / (1 << 20));
    final double total = sampled;
    by.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).limit(top)
        .forEach(en -> System.out.printf("  %7.0f B/put %5.1f%%  %s%n", en.getValue() / ops, 100 * en.getValue() / total,
            en.getKey()));
  }

  private static boolean under(RecordedEvent e, String cls) {
    if (e.getStackTrace() == null) {
      return false;
    }
    for (RecordedFrame f : e.getStackTrace().getFrames()) {
      if (f.getMethod().getType().getName().contains(cls)) {
        return true;
      }
    }
    return false;
  }

  private static double num(String js, int from, String field) {
    Matcher m = Pattern.compile("\"" + field + "\": ([0-9.eE+-]+)").matcher(js);
    if (!m.find(from)) {
      throw new IllegalArgumentException("no " + field + " in the fillrandom result");
    }
    return Double.parseDouble(m.group(1));
  }
}
