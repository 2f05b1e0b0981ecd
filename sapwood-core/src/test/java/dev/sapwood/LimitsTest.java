package dev.sapwood;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key, value and batch limits hold for every value stored, however it is made. */
class LimitsTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  /** A user function that doubles the value: from 9 MiB on, its result is over the limit. */
  private static final UpdateFunction DOUBLE = new UpdateFunction() {
    @Override
    public String name() {
      return "test.double";
    }

    @Override
    public byte[] apply(byte[] key, byte[] old, byte[] argument) {
      byte[] base = old == null ? argument : old;
      byte[] out = Arrays.copyOf(base, base.length * 2);
      System.arraycopy(base, 0, out, base.length, base.length);
      return out;
    }
  };

  private static Options options() {
    return Options.defaults().register(DOUBLE);
  }

  private static void assertValue(Tree t, byte[] key, byte[] expected, String when) {
    byte[] got = t.get(key);
    assertEquals(expected.length, got == null ? -1 : got.length, when + ": length");
    assertArrayEquals(expected, got, when);
  }

  @Test
  void anUpdateWhoseResultWouldPassTheValueLimitLeavesTheValueAsItWas() {
    byte[] nearlyFull = new byte[Limits.MAX_VALUE_SIZE - 4];
    Arrays.fill(nearlyFull, (byte) 7);
    byte[] nine = new byte[9 << 20];
    Arrays.fill(nine, (byte) 9);
    try (Database db = Database.open(dir, options())) {
      Tree t = db.tree("t");
      t.put(b("append"), nearlyFull);
      t.update(b("append"), UpdateFunctions.APPEND, new byte[8]); // 16 MiB + 4: skipped
      t.put(b("double"), nine);
      t.update(b("double"), DOUBLE, new byte[0]); // 18 MiB: skipped
      assertValue(t, b("append"), nearlyFull, "read through the buffers");
      assertValue(t, b("double"), nine, "read through the buffers");
      db.compact(); // applied in the leaves
      assertValue(t, b("append"), nearlyFull, "after compaction");
      assertValue(t, b("double"), nine, "after compaction");
      assertTrue(db.stats().get("update.failed") >= 2, db.stats().toString());
      // an append that reaches the limit exactly is legal
      t.update(b("append"), UpdateFunctions.APPEND, b("full"));
      byte[] full = Arrays.copyOf(nearlyFull, Limits.MAX_VALUE_SIZE);
      System.arraycopy(b("full"), 0, full, nearlyFull.length, 4);
      assertValue(t, b("append"), full, "append up to the limit");
      t.update(b("append"), UpdateFunctions.APPEND, new byte[1]);
      assertValue(t, b("append"), full, "one byte past the limit");
    }
    try (Database db = Database.open(dir, options())) {
      Tree t = db.tree("t");
      byte[] full = Arrays.copyOf(nearlyFull, Limits.MAX_VALUE_SIZE);
      System.arraycopy(b("full"), 0, full, nearlyFull.length, 4);
      assertValue(t, b("append"), full, "after reopening (replayed from the log)");
      assertValue(t, b("double"), nine, "after reopening (replayed from the log)");
    }
  }

  @Test
  void aBatchRefusesTheOperationThatWouldPassTheBatchLimit() {
    byte[] value = new byte[Limits.MAX_VALUE_SIZE];
    try (Database db = Database.open(dir)) {
      Tree t = db.tree("t");
      WriteBatch batch = new WriteBatch();
      long perPut = Limits.batchOpSize(8, value.length, 0);
      int fit = (int) (Limits.MAX_BATCH_SIZE / perPut);
      for (int i = 0; i < fit; i++) {
        batch.put(t, b(String.format("key%05d", i)), value); // the batch keeps references: no copies
      }
      long size = batch.byteSize();
      assertEquals(fit * perPut, size);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> batch.put(t, b("keyXXXXX"), value));
      assertTrue(e.getMessage().contains("MAX_BATCH_SIZE"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> batch.update(t, b("keyXXXXX"), UpdateFunctions.APPEND, value));
      assertEquals(fit, batch.size(), "the refused operation was not added");
      assertEquals(size, batch.byteSize());
      // small operations still fit, up to the limit
      long room = Limits.MAX_BATCH_SIZE - size;
      int deletes = (int) (room / Limits.batchOpSize(4, 0, 0));
      for (int i = 0; i < deletes; i++) {
        batch.delete(t, b("gone"));
      }
      assertThrows(IllegalArgumentException.class, () -> batch.delete(t, b("gone")));
      batch.clear();
      assertEquals(0, batch.byteSize());
      batch.put(t, b("k"), b("v"));
      db.write(batch);
      assertArrayEquals(b("v"), t.get(b("k")));
      assertNull(t.get(b("key00000")), "nothing of the large batch was written");
    }
  }
}
