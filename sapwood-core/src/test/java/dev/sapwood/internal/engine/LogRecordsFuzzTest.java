package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.CorruptionException;
import dev.sapwood.Limits;
import dev.sapwood.internal.tree.MessageType;
import dev.sapwood.internal.tree.RangeUpdates;
import dev.sapwood.internal.fuzz.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Mutated log record payloads through {@link LogRecords#decode}: each decodes (into fields within
 * the limits) or is a {@link CorruptionException}; anything else fails with the seed
 * ({@link Fuzz}).
 */
class LogRecordsFuzzTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<byte[]> corpus() {
    List<byte[]> out = new ArrayList<>();
    out.add(LogRecords.single(MessageType.PUT, 1, b("key"), b("value"), null));
    out.add(LogRecords.single(MessageType.DELETE, 2, b("gone"), new byte[0], null));
    out.add(LogRecords.single(MessageType.UPDATE, 1, b("n"), new byte[8], b("sapwood.add_long")));
    out.add(LogRecords.single(MessageType.DELETE_RANGE, 3, b("a"), b("m"), null));
    out.add(new LogRecords.BatchBuilder().add(MessageType.PUT, 1, b("x"), new byte[100], null)
        .add(MessageType.DELETE, 1, b("y"), new byte[0], null)
        .add(MessageType.UPDATE, 4, new byte[0], b("arg"), b("user.fn")).build());
    out.add(LogRecords.createTree(7, "a tree"));
    out.add(LogRecords.dropTree(7));
    return out;
  }

  /** Checks what the decoder hands on is within the limits it promises. */
  private static final LogRecords.Visitor CHECK = new LogRecords.Visitor() {
    @Override
    public void op(byte type, int treeId, byte[] key, byte[] value, byte[] fn) {
      int maxValue = type == MessageType.UPDATE_RANGE ? RangeUpdates.MAX_VALUE : Limits.MAX_VALUE_SIZE;
      assertTrue(MessageType.isValid(type) && key.length <= Limits.MAX_KEY_SIZE && value.length <= maxValue);
      assertTrue(MessageType.hasFunction(type) == (fn != null));
    }

    @Override
    public void createTree(int treeId, String name) {
      assertTrue(name != null);
    }

    @Override
    public void dropTree(int treeId) {}
  };

  private static void fuzz(int iterations) {
    Fuzz.run("log record", corpus(), p -> LogRecords.decode(p, 1, CHECK), iterations);
  }

  @Test
  void mutatedPayloadsDecodeWithinTheLimitsOrAreCorruption() {
    fuzz(Fuzz.iterations(40_000));
  }

  @Test
  @Tag("stress")
  void mutatedPayloadsLongRun() {
    fuzz(Fuzz.iterations(20_000_000));
  }
}
