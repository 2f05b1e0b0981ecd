package dev.sapwood.internal.tree;

import dev.sapwood.UpdateFunction;
import dev.sapwood.UpdateFunctions;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: the basement merge — 2,000 messages (puts over existing keys, puts of new keys, ADD_LONG
 * updates, deletes) applied to a basement of 2,000 entries, emitting into a {@link
 * BasementBuilder}. Time per message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageApplierBenchmark {
  static final int ENTRIES = 2_000;
  static final int MESSAGES = 2_000;

  Basement base;
  MessageBuffer msgs;
  MessageApplier applier;

  @Setup
  public void setup() {
    Random r = new Random(7);
    byte[][] keys = new byte[ENTRIES * 2][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new byte[16];
      r.nextBytes(keys[i]);
    }
    byte[][] sorted = Arrays.copyOf(keys, ENTRIES);
    Arrays.sort(sorted, Arrays::compareUnsigned);
    BasementBuilder bb = new BasementBuilder(Integer.MAX_VALUE, 64, 0);
    byte[] v = new byte[100];
    for (byte[] k : sorted) {
      bb.emit(k, 0, k.length, v, 0, v.length);
    }
    base = bb.finish().get(0);
    msgs = new MessageBuffer();
    byte[] counter = UpdateFunctions.fromLong(1);
    byte[] fn = UpdateFunctions.ADD_LONG.name().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int i = 0; i < MESSAGES; i++) {
      byte[] k = keys[r.nextInt(keys.length)];
      long msn = 1 + i;
      switch (i % 4) {
        case 0, 1 -> msgs.add(MessageType.PUT, msn, k, 0, k.length, v, 0, v.length, null);
        case 2 -> msgs.add(MessageType.UPDATE, msn, k, 0, k.length, counter, 0, 8, fn);
        default -> msgs.add(MessageType.DELETE, msn, k, 0, k.length, v, 0, 0, null);
      }
    }
    FunctionResolver functions = name -> {
      for (UpdateFunction f : UpdateFunctions.builtIns()) {
        if (f.name().equals(name)) {
          return f;
        }
      }
      throw new IllegalArgumentException(name);
    };
    applier = new MessageApplier(functions, (name, cause) -> { });
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public Object mergeIntoBasement() {
    BasementBuilder out = new BasementBuilder(128 << 10, 256, MESSAGES);
    applier.apply(base, 0, base.count(), msgs, 0, msgs.pointCount(), null, null, -1, out);
    return out.finish();
  }
}
