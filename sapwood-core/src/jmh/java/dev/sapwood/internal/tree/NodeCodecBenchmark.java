package dev.sapwood.internal.tree;

import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: the node codec — serializing a leaf of 8 basements of about 128 KiB (16-byte keys,
 * 100-byte half-compressible values) and reading it back (header and every basement) from an
 * in-memory block file, per codec. Time per node.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NodeCodecBenchmark {
  static final int BASEMENTS = 8;
  static final int PER_BASEMENT = 1_100;

  @Param({"NONE", "LZ4", "ZSTD"})
  String codec;

  byte code;
  Node leaf;
  BlockFile file;
  long block;

  @Setup
  public void setup() {
    code = switch (codec) {
      case "LZ4" -> Compressors.LZ4;
      case "ZSTD" -> Compressors.ZSTD;
      default -> Compressors.NONE;
    };
    Random r = new Random(3);
    Basement[] bs = new Basement[BASEMENTS];
    byte[][] pivots = new byte[BASEMENTS - 1][];
    long n = 0;
    for (int b = 0; b < BASEMENTS; b++) {
      BasementBuilder bb = new BasementBuilder(Integer.MAX_VALUE, 64, 1);
      for (int i = 0; i < PER_BASEMENT; i++, n++) {
        byte[] k = new byte[16];
        for (int j = 0; j < 8; j++) {
          k[j] = (byte) (n >>> (56 - 8 * j));
        }
        byte[] v = new byte[100];
        for (int j = 0; j < 100; j += 32) {
          for (int x = 0; x < 16 && j + x < 100; x++) {
            v[j + x] = (byte) r.nextInt(256);
            if (j + x + 16 < 100) {
              v[j + x + 16] = v[j + x];
            }
          }
        }
        if (i == 0 && b > 0) {
          pivots[b - 1] = k;
        }
        bb.emit(k, 0, 16, v, 0, 100);
      }
      bs[b] = bb.finish().get(0);
    }
    file = BlockFile.create(new MemoryFileIo(), Path.of("/bench/nodes.sap"),
        new Header.Settings(4 << 20, 128 << 10, 16, code));
    leaf = new Node(file.allocateBlockNumber());
    leaf.setLeaf(pivots, bs);
    leaf.maxMsn = 1;
    block = leaf.key();
    NodeWriter.Result res = NodeWriter.write(leaf, code);
    file.writeBlock(block, res.block(), 0, res.block().length);
  }

  @TearDown
  public void close() {
    file.close();
  }

  @Benchmark
  public byte[] write() {
    return NodeWriter.write(leaf, code).block();
  }

  @Benchmark
  public Node read() {
    Node node = NodeReader.read(file, block);
    for (int i = 0; i < node.n; i++) {
      node.basements[i] = PartitionReader.readBasement(file, block, node.disk, i);
    }
    return node;
  }
}
