package dev.sapwood.bench.ycsb;

import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Issue 14's hot-key check: one YCSB record updated blindly again and again ({@code
 * ycsb.merge_fields}, one 100-byte field per update, as workload A's updates), and the cost of
 * reading it measured as it goes — time per read and messages each read applies. With {@code
 * uncombined} the same update function without {@link UpdateFunction#combine}, for the contrast.
 *
 * <p>Usage: {@code HotKeyReads DIR UPDATES [combined|uncombined]} (DIR must not exist). Prints one
 * line per tenth of the updates.
 */
public final class HotKeyReads {
  private HotKeyReads() {}

  /** ycsb.merge_fields without combine: what the binding's function was before it combined. */
  private static final UpdateFunction UNCOMBINED = new UpdateFunction() {
    @Override
    public String name() {
      return "ycsb.merge_fields_uncombined";
    }

    @Override
    public byte[] apply(byte[] key, byte[] oldValueOrNull, byte[] argument) {
      return Records.merge(oldValueOrNull, argument);
    }
  };

  public static void main(String[] args) {
    long updates = Long.parseLong(args[1]);
    boolean combined = args.length < 3 || !args[2].equals("uncombined");
    UpdateFunction fn = combined ? FieldMergeFunction.INSTANCE : UNCOMBINED;
    Options o = Options.defaults().register(FieldMergeFunction.INSTANCE).register(UNCOMBINED).cacheSize(64L << 20);
    try (Database db = Database.open(Path.of(args[0]), o)) {
      Tree t = db.tree("usertable");
      Random rnd = new Random(1);
      byte[] field = new byte[100];
      Map<String, byte[]> ten = new java.util.HashMap<>();
      for (int f = 0; f < 10; f++) {
        ten.put("field" + f, field);
      }
      byte[] record = Records.encode(ten);
      for (int i = 0; i < 100_000; i++) {
        t.put(String.format("user%08d", i).getBytes(StandardCharsets.UTF_8), record);
      }
      byte[] hot = "user00050000".getBytes(StandardCharsets.UTF_8);
      t.optimize(); // the record lies in its leaf: every update below is blind, with no value above it
      System.out.printf("%12s %14s %16s %14s%n", "updates", "ns per read", "messages/read", "updates/s");
      long done = 0;
      for (int step = 1; step <= 10; step++) {
        long until = updates * step / 10;
        long t0 = System.nanoTime();
        for (; done < until; done++) {
          rnd.nextBytes(field);
          t.update(hot, fn, Records.encode(Map.of("field" + rnd.nextInt(10), field)));
        }
        double ups = (until - updates * (step - 1) / 10) / ((System.nanoTime() - t0) / 1e9);
        int reads = 2_000;
        long m0 = db.stats().get("read.get_messages_applied");
        long r0 = System.nanoTime();
        for (int r = 0; r < reads; r++) {
          if (t.get(hot) == null) {
            throw new IllegalStateException("hot record lost");
          }
        }
        long ns = (System.nanoTime() - r0) / reads;
        double msgs = (db.stats().get("read.get_messages_applied") - m0) / (double) reads;
        System.out.printf("%12d %14d %16.1f %14.0f%n", done, ns, msgs, ups);
      }
    }
  }
}
