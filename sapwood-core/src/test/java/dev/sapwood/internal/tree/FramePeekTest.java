package dev.sapwood.internal.tree;

import static dev.sapwood.internal.tree.MessageBufferTest.add;
import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.tree.MessageBufferTest.Msg;
import dev.sapwood.internal.util.Compressors;
import dev.sapwood.internal.util.ThreadScratch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames: partitions are cut into frames at record boundaries, and a point query that reads only
 * the frames for its key (a peek) sees exactly what the whole partition holds for that key; a
 * frame that is damaged, or that its directory says holds more than its bytes can give, is a
 * {@link CorruptionException} naming the file and the frame's offset.
 */
class FramePeekTest {
  private final NodeCodecTest.CountingIo io = new NodeCodecTest.CountingIo();
  private final BlockFile file = BlockFile.create(io, Path.of("/db/frames.sap"),
      new Header.Settings(16384, 1024, 4, Compressors.NONE));

  @AfterEach
  void close() {
    file.close();
  }

  private static byte[] key(int n) {
    return String.format("k%06d", n).getBytes();
  }

  /** A leaf of three large basements with some values bigger than a frame. */
  private Node randomLeaf(Random rnd) {
    List<Basement> bs = new ArrayList<>();
    int next = 0;
    for (int b = 0; b < 3; b++) {
      BasementBuilder bb = new BasementBuilder(Integer.MAX_VALUE, 64, 100 + b);
      int entries = 200 + rnd.nextInt(300);
      for (int e = 0; e < entries; e++) {
        next += 1 + rnd.nextInt(3);
        byte[] v = new byte[rnd.nextInt(50) == 0 ? 6000 : rnd.nextInt(120)];
        halfRepeated(rnd, v);
        byte[] k = key(next);
        bb.emit(k, 0, k.length, v, 0, v.length);
      }
      bs.add(bb.finish().get(0));
      next += 5;
    }
    byte[][] pivots = {bs.get(1).key(0), bs.get(2).key(0)};
    Node leaf = new Node(file.allocateBlockNumber());
    leaf.setLeaf(pivots, bs.toArray(new Basement[0]));
    leaf.maxMsn = 200;
    return leaf;
  }

  /** An internal node whose buffers hold many messages per key (so a key spans frames) and ranges. */
  private Node randomInternal(Random rnd) {
    byte[][] pivots = {key(1000), key(2000)};
    MessageBuffer[] bufs = {new MessageBuffer(), new MessageBuffer(), new MessageBuffer()};
    long msn = 1;
    for (int p = 0; p < 3; p++) {
      int messages = 300 + rnd.nextInt(400);
      for (int m = 0; m < messages; m++) {
        byte[] k = key(p * 1000 + rnd.nextInt(p == 1 ? 8 : 400));
        byte[] v = new byte[rnd.nextInt(20) == 0 ? 5000 : rnd.nextInt(80)];
        halfRepeated(rnd, v);
        byte type = rnd.nextInt(10) == 0 ? MessageType.DELETE : MessageType.PUT;
        add(bufs[p], new Msg(type, msn++, k, type == MessageType.DELETE ? new byte[0] : v, null));
      }
      if (p != 2) {
        for (int r = 0; r < 3; r++) {
          int a = p * 1000 + rnd.nextInt(300);
          add(bufs[p], new Msg(MessageType.DELETE_RANGE, msn++, key(a), key(a + 50), null));
        }
      }
    }
    Node node = new Node(file.allocateBlockNumber());
    node.setInternal(1, pivots, new long[] {10, 11, 12}, bufs);
    node.maxMsn = msn;
    return node;
  }

  /**
   * Random bytes whose second half repeats the first (compressible to about half, like the
   * benchmarks' values), so that every codec's partitions are stored compressed: the writer stores
   * a partition as it is where compressing saves less than an eighth.
   */
  private static void halfRepeated(Random rnd, byte[] v) {
    int half = (v.length + 1) / 2;
    byte[] h = new byte[half];
    rnd.nextBytes(h);
    System.arraycopy(h, 0, v, 0, half);
    System.arraycopy(h, 0, v, half, v.length - half);
  }

  /** Writes the node; every partition is stored with {@code codec} (what these tests are about). */
  private long write(Node node, byte codec) {
    NodeWriter.Result r = NodeWriter.write(node, codec);
    file.writeBlock(node.key(), r.block(), 0, r.block().length);
    PartitionDirectory dir = NodeReader.read(file, node.key()).disk;
    for (int i = 0; i < node.n; i++) {
      assertEquals(codec, dir.codec(i), "partition " + i + "'s codec");
    }
    return node.key();
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void aBasementPeekFindsWhatTheWholeBasementHolds(byte codec) {
    Node leaf = randomLeaf(new Random(codec + 11));
    long block = write(leaf, codec);
    PartitionDirectory dir = NodeReader.read(file, block).disk;
    for (int i = 0; i < leaf.n; i++) {
      Basement whole = leaf.basements[i];
      int frames = dir.frameEnd(i) - dir.firstFrame(i);
      assertTrue(frames > 3, "basement " + i + " of " + whole.bytes() + " bytes has " + frames + " frames");
      for (int f = dir.firstFrame(i); f < dir.frameEnd(i); f++) {
        assertTrue(dir.frameRaw(f) < NodeFormat.FRAME_TARGET + 6100, "frame " + f + " is cut near the target");
      }
      TreeMap<String, byte[]> expected = new TreeMap<>();
      for (int e = 0; e < whole.count(); e++) {
        expected.put(new String(whole.key(e)), whole.value(e));
      }
      int lo = Integer.parseInt(new String(whole.key(0)).substring(1)) - 2;
      int hi = Integer.parseInt(new String(whole.key(whole.count() - 1)).substring(1)) + 2;
      for (int k = lo; k <= hi; k++) {
        byte[] probe = key(k);
        io.reads.clear();
        Basement peek = FramePeeks.peekBasement(file, block, dir, i, probe);
        assertEquals(whole.maxMsn(), peek.maxMsn());
        int at = peek.find(probe);
        byte[] want = expected.get(new String(probe));
        if (want == null) {
          assertTrue(at < 0, "absent key " + k + " found by a peek");
        } else {
          assertTrue(at >= 0, "key " + k + " missed by a peek");
          assertArrayEquals(want, peek.value(at), "value of key " + k);
          assertEquals(1, io.reads.size(), "a basement peek is one read");
          assertTrue(peek.bytes() < whole.bytes(), "a peek reads less than the basement");
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4})
  void aBufferPeekSeesEveryMessageOfItsKey(byte codec) {
    Node node = randomInternal(new Random(codec + 23));
    long block = write(node, codec);
    PartitionDirectory dir = NodeReader.read(file, block).disk;
    for (int i = 0; i < node.n; i++) {
      MessageBuffer whole = node.buffers[i];
      assertTrue(dir.frameEnd(i) - dir.firstFrame(i) > 2, "buffer " + i + " spans frames");
      for (int k = i * 1000 - 1; k < i * 1000 + 402; k++) {
        byte[] probe = key(k);
        MessageBuffer peek = FramePeeks.peekBuffer(file, block, dir, i, probe);
        assertEquals(messagesFor(whole, probe), messagesFor(peek, probe), "messages for key " + k + " in buffer " + i);
      }
    }
  }

  /** Every message a point query for {@code key} takes from {@code buf}, in order. */
  private static List<String> messagesFor(MessageBuffer buf, byte[] key) {
    List<String> out = new ArrayList<>();
    for (int i = buf.lowerBound(key); i < buf.pointCount() && buf.compareKey(buf.point(i), key) == 0; i++) {
      out.add(describe(buf, buf.point(i)));
    }
    for (int i = 0; i < buf.rangeCount(); i++) {
      if (buf.rangeCovers(buf.range(i), key, 0, key.length)) {
        out.add(describe(buf, buf.range(i)));
      }
    }
    return out;
  }

  private static String describe(MessageBuffer buf, int rec) {
    return buf.type(rec) + "@" + buf.msn(rec) + ":" + Arrays.hashCode(buf.copyValue(rec));
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4})
  void aFlippedByteInAFrameFailsThePeekThatReadsIt(byte codec) {
    Random rnd = new Random(codec + 5);
    Node leaf = randomLeaf(rnd);
    long block = write(leaf, codec);
    byte[] good = file.readBlock(block);
    Node shell = NodeReader.read(file, block);
    PartitionDirectory dir = shell.disk;
    Basement whole = leaf.basements[1];
    int frame = dir.firstFrame(1) + 1;
    byte[] probe = null;
    for (int e = 0; e < whole.count() && probe == null; e++) {
      if (dir.pointFramesFor(1, whole.key(e), true) >>> 32 == frame) {
        probe = whole.key(e);
      }
    }
    assertNotNull(probe, "a key in frame " + frame);
    for (int at = dir.frameOffset(frame); at < dir.frameOffset(frame) + dir.frameCompressed(frame); at++) {
      byte[] bad = good.clone();
      bad[at] ^= (byte) (1 + rnd.nextInt(255));
      file.writeBlock(block, bad, 0, bad.length);
      byte[] k = probe;
      assertThrows(CorruptionException.class, () -> FramePeeks.peekBasement(file, block, dir, 1, k), "flip at " + at);
    }
  }

  /**
   * A frame whose directory entry claims one raw byte more than its compressed bytes can decompress
   * to (a damaged length behind a valid header checksum) is refused before room is made for it, on
   * the point query's one-frame read and on the whole basement's read alike.
   */
  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void aFrameClaimingMoreRawBytesThanItsBytesCanGiveIsCorruption(byte codec) {
    long block = write(randomLeaf(new Random(codec + 17)), codec);
    PartitionDirectory dir = NodeReader.read(file, block).disk;
    int f = dir.firstFrame(1) + 1;
    byte[] comp = new byte[dir.frameCompressed(f)];
    file.readBlock(block, dir.frameOffset(f), comp, 0, comp.length);
    long bound = Compressors.maxDecompressedLength(codec, comp, 0, comp.length);
    assertTrue(bound >= dir.frameRaw(f) && bound < Integer.MAX_VALUE, "bound " + bound);
    PartitionDirectory crafted = withFrameRaw(dir, f, (int) bound + 1);
    ThreadScratch out = new ThreadScratch(1 << 10, 1 << 20);
    List<CorruptionException> refused = List.of(
        assertThrows(CorruptionException.class, () -> PartitionReader.readFrame(file, null, block, crafted, f, out, false)),
        assertThrows(CorruptionException.class, () -> PartitionReader.readBasement(file, block, crafted, 1)));
    for (CorruptionException e : refused) {
      assertEquals(file.name(), e.file());
      assertEquals(file.blockOffset(block) + dir.frameOffset(f), e.offset(), "the frame's offset: " + e.getMessage());
      assertTrue(e.getMessage().contains("cannot decompress to " + (bound + 1)), e.getMessage());
    }
    assertDoesNotThrow(() -> PartitionReader.readFrame(file, null, block, dir, f, out, false), "the true length reads");
  }

  /** {@code d} with frame {@code frame}'s raw length replaced by {@code raw}. */
  private static PartitionDirectory withFrameRaw(PartitionDirectory d, int frame, int raw) {
    DirectoryBuilder b = new DirectoryBuilder(d.partitions(), d.frameEnd(d.partitions() - 1));
    for (int i = 0; i < d.partitions(); i++) {
      b.partition(d.offset(i), d.rawLength(i), d.codec(i), d.maxMsn(i), d.count(i), d.rangeCount(i),
          d.pointFrameEnd(i) - d.firstFrame(i));
      for (int f = d.firstFrame(i); f < d.frameEnd(i); f++) {
        b.frame(d.frameOffset(f), d.frameCompressed(f), f == frame ? raw : d.frameRaw(f), d.frameCrc(f), d.firstKey(f));
      }
    }
    return b.build();
  }
}
