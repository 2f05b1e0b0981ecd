package dev.sapwood.internal.tree;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: a message buffer's insert (random keys, kept sorted) and lookup (lower bound of a key).
 * A tool, not a test (surefire runs only *Test classes); run with {@code mvn -Pjmh -pl sapwood-core
 * verify}, see docs/benchmarks.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageBufferBenchmark {
  static final int MESSAGES = 10_000;

  @Param({"16"})
  int keySize;

  @Param({"100"})
  int valueSize;

  byte[][] keys;
  byte[] value;
  MessageBuffer full;
  int next;

  @Setup
  public void setup() {
    Random r = new Random(42);
    keys = new byte[MESSAGES][];
    for (int i = 0; i < MESSAGES; i++) {
      keys[i] = new byte[keySize];
      r.nextBytes(keys[i]);
    }
    value = new byte[valueSize];
    r.nextBytes(value);
    full = fill();
  }

  private MessageBuffer fill() {
    MessageBuffer b = new MessageBuffer();
    for (int i = 0; i < MESSAGES; i++) {
      b.add(MessageType.PUT, i, keys[i], 0, keys[i].length, value, 0, value.length, null);
    }
    return b;
  }

  /** Inserts 10,000 messages with random keys into an empty buffer; time per message. */
  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public MessageBuffer insertRandom() {
    return fill();
  }

  /** The lower bound of a key in a buffer of 10,000 messages. */
  @Benchmark
  public int lookup() {
    int i = next++;
    if (next == MESSAGES) {
      next = 0;
    }
    return full.lowerBound(keys[i]);
  }
}
