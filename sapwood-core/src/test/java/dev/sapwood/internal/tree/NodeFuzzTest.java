package dev.sapwood.internal.tree;

import static dev.sapwood.internal.tree.MessageBufferTest.b;

import dev.sapwood.internal.fuzz.Fuzz;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the node decoders ({@link Fuzz}): {@link NodeReader} (header, partition directory, frame
 * table) and {@link PartitionReader} (frames: whole partitions and frame peeks), for leaves and
 * internal nodes with every codec. A mutated block is resealed most of the time — its header CRC,
 * and often every frame's CRC where the mutated frame table says the frames are — so the damage
 * reaches the length, order and record checks behind the checksums.
 */
class NodeFuzzTest {
  private static final long BLOCK = 5;
  private static final byte[][] PROBES = {b(""), b("a"), b("m"), b("p0010-xxxxxxxxxxxxxxxxxxxx"), b("zz"), b("k0500")};

  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/fuzz/nodes.db"),
      new Header.Settings(16384, 1024, 4, Compressors.NONE));
  private final long block = file.allocateBlockNumber();

  @AfterEach
  void close() {
    file.close();
  }

  /** Leaves and internal nodes, each written with every codec. */
  static List<byte[]> nodes() {
    List<Node> samples = new ArrayList<>();
    samples.add(NodeCodecTest.sampleLeaf(BLOCK, 5000));
    samples.add(NodeCodecTest.sampleInternal(BLOCK, 0));
    samples.add(NodeCodecTest.sampleInternal(BLOCK, 3));
    Node many = new Node(BLOCK);
    byte[][] kv = new byte[600][];
    for (int i = 0; i < 300; i++) {
      kv[2 * i] = b(String.format("k%04d", i * 3));
      kv[2 * i + 1] = b("value-" + i + "-" + "v".repeat(i % 40));
    }
    many.setLeaf(new byte[0][], new Basement[] {NodeCodecTest.basement(4, kv)});
    many.maxMsn = 4;
    samples.add(many);
    List<byte[]> out = new ArrayList<>();
    for (Node n : samples) {
      for (byte codec : new byte[] {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD}) {
        out.add(NodeWriter.write(n, codec).block());
      }
    }
    return out;
  }

  private final Fuzz.Target node = new Fuzz.Target() {
    @Override
    public void decode(byte[] input) {
      file.writeBlock(block, input, 0, input.length);
      Node n = NodeReader.read(file, block);
      for (int i = 0; i < n.n; i++) {
        for (byte[] probe : PROBES) {
          if (n.height == 0) {
            FramePeeks.peekBasement(file, block, n.disk, i, probe);
          } else {
            FramePeeks.peekBuffer(file, block, n.disk, i, probe);
          }
        }
        if (n.height == 0) {
          PartitionReader.readBasement(file, block, n.disk, i);
        } else {
          PartitionReader.readBuffer(file, block, n.disk, i);
        }
      }
    }

    @Override
    public byte[] reseal(byte[] b, Random r) {
      int mode = r.nextInt(4);
      if (mode == 0) {
        return b;
      }
      if (mode >= 2) {
        resealFrames(b, mode == 3 ? r : null);
      }
      if (b.length >= 8) {
        int headerLen = ByteBuffer.wrap(b).getInt(4);
        Fuzz.sealAt(b, 0, headerLen - 4);
      }
      return b;
    }
  };

  /** Raw lengths a lying frame entry is given. */
  private static final int[] RAW_LIES = {1, 4095, 1 << 20, 30 << 20, (32 << 20) + 1, 1 << 30, Integer.MAX_VALUE};

  /**
   * Recomputes every frame's CRC where the (possibly mutated) header says the frames are, and
   * each partition's raw length as the sum of its frames', per docs/format/node.md; with {@code
   * liar} set, first gives one random frame a raw length from {@link #RAW_LIES}. Stops quietly
   * where the header stops making sense.
   */
  static void resealFrames(byte[] b, Random liar) {
    try {
      ByteBuffer bb = ByteBuffer.wrap(b);
      int headerLen = bb.getInt(4);
      int height = bb.getShort(8) & 0xffff;
      int n = bb.getInt(10);
      if (n < 1 || n > 4096 || headerLen > b.length) {
        return;
      }
      int p = NodeFormat.FIXED_HEADER;
      for (int i = 0; i < n - 1; i++) {
        p += 2 + (bb.getShort(p) & 0xffff);
      }
      if (height > 0) {
        p += 8 * n;
      }
      int data = headerLen;
      int lieAt = liar == null ? -1 : liar.nextInt(n);
      for (int i = 0; i < n; i++) {
        int dirAt = p;
        int frames = bb.getInt(p + 25);
        p += NodeFormat.DIR_ENTRY_FIXED;
        long rawSum = 0;
        int lieFrame = i == lieAt && frames > 0 ? liar.nextInt(frames) : -1;
        for (int f = 0; f < frames && f < 4096; f++) {
          if (f == lieFrame) {
            bb.putInt(p + 4, RAW_LIES[liar.nextInt(RAW_LIES.length)]);
          }
          rawSum += bb.getInt(p + 4);
          bb.putInt(dirAt + 4, (int) rawSum);
          int comp = bb.getInt(p);
          if (comp < 0 || (long) data + comp > b.length) {
            return;
          }
          java.util.zip.CRC32C c = new java.util.zip.CRC32C();
          c.update(b, data, comp);
          bb.putInt(p + 8, (int) c.getValue());
          data += comp;
          p += NodeFormat.FRAME_ENTRY_FIXED + (bb.getShort(p + 12) & 0xffff);
        }
      }
    } catch (IndexOutOfBoundsException stop) {
      // the mutated header ends early: what was resealed stays resealed
    }
  }

  @Test
  void mutatedNodesDecodeOrAreCorruption() {
    Fuzz.run("node (header, directory, frames, records)", nodes(), node, Fuzz.iterations(4000));
  }

  @Test
  @Tag("stress")
  void mutatedNodesStress() {
    Fuzz.run("node (header, directory, frames, records)", nodes(), node, Fuzz.iterations(500_000));
  }
}
