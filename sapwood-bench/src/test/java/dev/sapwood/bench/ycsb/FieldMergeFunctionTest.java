package dev.sapwood.bench.ycsb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binding's update function combines two updates into one that applies as both do, and a hot
 * record updated blindly many times reads as the model says, with its read applying a handful of
 * buffered messages however long it was updated.
 */
class FieldMergeFunctionTest {
  private static final FieldMergeFunction F = FieldMergeFunction.INSTANCE;
  private static final byte[] KEY = "user1".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  private static Map<String, byte[]> randomFields(Random rnd) {
    Map<String, byte[]> m = new HashMap<>();
    int n = rnd.nextInt(5);
    for (int i = 0; i < n; i++) {
      byte[] v = new byte[rnd.nextInt(12)];
      rnd.nextBytes(v);
      m.put("field" + rnd.nextInt(6), v);
    }
    return m;
  }

  @Test
  void combiningTwoUpdatesAppliesAsBothDo() {
    long seed = new Random().nextLong();
    System.out.println("FieldMergeFunctionTest seed " + seed);
    Random rnd = new Random(seed);
    for (int t = 0; t < 3_000; t++) {
      byte[] old = rnd.nextInt(5) == 0 ? null : Records.encode(randomFields(rnd));
      byte[] first = Records.encode(randomFields(rnd));
      byte[] second = Records.encode(randomFields(rnd));
      byte[] c = F.combine(KEY, first, second);
      F.checkArgument(c);
      assertArrayEquals(F.apply(KEY, F.apply(KEY, old, first), second), F.apply(KEY, old, c), "seed " + seed);
    }
  }

  @Test
  void largeArgumentsAreNotCombined() {
    byte[] big = Records.encode(Map.of("f", new byte[FieldMergeFunction.COMBINE_LIMIT]));
    assertNull(F.combine(KEY, big, Records.encode(Map.of("g", new byte[1]))));
  }

  @Test
  void hotRecordReadsAsTheModelAfterManyBlindUpdatesAndItsReadsStayFlat() {
    long seed = new Random().nextLong();
    System.out.println("FieldMergeFunctionTest hot record seed " + seed);
    Random rnd = new Random(seed);
    Options o = Options.defaults().register(F).cacheSize(8L << 20);
    try (Database db = Database.open(dir.resolve("db"), o)) {
      Tree t = db.tree("usertable");
      byte[] filler = new byte[1_000];
      for (int i = 0; i < 5_000; i++) { // a few leaves, so the hot key's updates sit in internal buffers
        t.put(String.format("user%05d", i).getBytes(StandardCharsets.UTF_8), filler);
      }
      byte[] hot = "user02500".getBytes(StandardCharsets.UTF_8);
      Map<String, byte[]> model = new HashMap<>(Map.of("field0", new byte[100]));
      t.put(hot, Records.encode(model));
      t.optimize(); // the record now lies in its leaf: the updates below have no value to fold into
      long worst = 0;
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 10_000; i++) {
          Map<String, byte[]> u = new HashMap<>();
          byte[] v = new byte[100];
          rnd.nextBytes(v);
          u.put("field" + rnd.nextInt(10), v);
          model.putAll(u);
          t.update(hot, F, Records.encode(u));
        }
        long before = db.stats().get("read.get_messages_applied");
        assertArrayEquals(Records.encode(model), t.get(hot), "round " + round + ", seed " + seed);
        worst = Math.max(worst, db.stats().get("read.get_messages_applied") - before);
      }
      assertTrue(worst <= 8, "a read of the hot record applied " + worst + " messages");
    }
  }
}
