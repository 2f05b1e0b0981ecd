package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The single-change payload is byte for byte the batch of one change. */
class LogRecordsTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aSingleChangeIsABatchOfOne() {
    byte[][] keys = {b("k"), new byte[0], b("a longer key")};
    byte[][] values = {b("v"), new byte[0], new byte[300]};
    byte[][] fns = {null, b("sapwood.add_long")};
    for (byte type = 1; type <= 4; type++) {
      for (byte[] k : keys) {
        for (byte[] v : values) {
          for (byte[] fn : fns) {
            byte[] f = type == 3 ? fn : null;
            assertArrayEquals(new LogRecords.BatchBuilder().add(type, 7, k, v, f).build(),
                LogRecords.single(type, 7, k, v, f), "type " + type);
          }
        }
      }
    }
  }

  @Test
  void eachOperationTakesNoMoreOfItsRecordThanItCountsAgainstTheBatchLimit() {
    byte[] fn = new byte[255];
    for (byte type = 1; type <= 4; type++) {
      byte[] f = type == 3 ? fn : null;
      byte[] k = new byte[40];
      byte[] v = new byte[type == 2 ? 0 : 1000];
      int encoded = new LogRecords.BatchBuilder().add(type, 7, k, v, f).build().length - 5;
      long counted = dev.sapwood.Limits.batchOpSize(k.length, v.length, f == null ? 0 : f.length);
      org.junit.jupiter.api.Assertions.assertTrue(encoded <= counted, "type " + type + ": " + encoded + " > " + counted);
    }
  }

  @Test
  void aSingleChangeEncodedIntoAReusedLargerArrayIsTheSameBytesAndSaysItsLength() {
    byte[] scratch = new byte[1024];
    java.util.Arrays.fill(scratch, (byte) 0x5A); // an earlier, longer record's leftovers
    byte[][] keys = {b("k"), new byte[0], b("a longer key")};
    byte[][] values = {b("v"), new byte[0], new byte[300]};
    for (byte type = 1; type <= 4; type++) {
      for (byte[] k : keys) {
        for (byte[] v : values) {
          byte[] f = type == 3 ? b("sapwood.add_long") : null;
          byte[] want = LogRecords.single(type, 300, k, v, f);
          int n = LogRecords.putSingle(scratch, type, 300, k, v, f);
          org.junit.jupiter.api.Assertions.assertEquals(want.length, n, "type " + type);
          org.junit.jupiter.api.Assertions.assertEquals(want.length, LogRecords.singleSize(300, k, v, f));
          assertArrayEquals(want, java.util.Arrays.copyOf(scratch, n), "type " + type);
        }
      }
    }
  }
}
