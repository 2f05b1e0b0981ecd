package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.fuzz.Fuzz;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Compressors;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A get's peek of a basement that is not resident ({@link EntryPeek}) gives exactly the entry of
 * its key, or none, and keeps no frame: gets through peeked basements answer as a TreeMap model
 * does; a peek's basement is that one entry's bytes; damage behind a valid checksum in the part of
 * a frame a peek scans is a {@link CorruptionException}.
 */
class EntryPeekTest {
  private static final FunctionResolver BUILT_INS = name -> UpdateFunctions.builtIns().stream()
      .filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  private static final byte[] APPEND = "sapwood.append".getBytes(StandardCharsets.UTF_8);

  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/peeks.sap"),
      new Header.Settings(128 << 10, 16 << 10, 8, Compressors.LZ4));

  @AfterEach
  void close() {
    file.close();
  }

  private static byte[] key(int i) {
    return String.format("key%07d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] v) {
    return v == null ? null : new String(v, StandardCharsets.ISO_8859_1);
  }

  private TreeContext context(long cache, Counters counters) {
    return new TreeContext(file, cache, 128 << 10, 16 << 10, 8, Compressors.LZ4, BUILT_INS, 0, counters); // basements of 4 frames
  }

  @Test
  void getsThroughPeekedBasementsMatchTheModel() {
    long seed = new Random().nextLong();
    System.out.println("EntryPeekTest seed " + seed);
    Random rnd = new Random(seed);
    int space = 40_000;
    TreeMap<Integer, String> model = new TreeMap<>();
    TreeContext warm = context(64 << 20, new Counters());
    long root = BeTree.create(warm);
    BeTree tree = new BeTree(warm, root);
    for (int op = 0; op < 60_000; op++) {
      int k = 2 * rnd.nextInt(space / 2); // odd keys are never written: absent between entries
      int what = rnd.nextInt(100);
      if (what < 75) {
        String v = "v" + op + "-" + "x".repeat(rnd.nextInt(rnd.nextInt(50) == 0 ? 5000 : 60));
        tree.put(key(k), v.getBytes(StandardCharsets.ISO_8859_1));
        model.put(k, v);
      } else if (what < 90) {
        tree.delete(key(k));
        model.remove(k);
      } else {
        tree.update(key(k), APPEND, new byte[] {'+'});
        model.merge(k, "+", String::concat);
      }
    }
    warm.nodes.writeDirtyNodes();
    file.checkpoint(root, warm.lastMsn(), 0);

    Counters counters = new Counters();
    TreeContext cold = context(256 << 10, counters); // far below the tree: basements are peeked
    try (FrameCache tier = new FrameCache(512 << 10, counters)) {
      cold.nodes.frames = tier; // a small tier: some peeks are served by it, most by the file
      BeTree coldTree = new BeTree(cold, tree.rootBlock());
      for (int round = 0; round < 2; round++) {
        for (int k = -5; k < space + 100; k++) {
          int q = round == 0 ? k : rnd.nextInt(space + 100);
          assertEquals(q < 0 ? null : model.get(q), text(coldTree.get(q < 0 ? new byte[] {(byte) -q} : key(q))),
              "key " + q + " (seed " + seed + ")");
        }
      }
      assertTrue(counters.counter("cache.basement_frame_peeks").sum() > 10_000,
          "gets peeked basements: " + counters.counter("cache.basement_frame_peeks").sum());
      assertTrue(counters.counter("cache.offheap_hits").sum() > 0, "some peeks were served by the tier");
    }
  }

  @Test
  void basementPeeksTakeFramesFromTheOffHeapTierButPutNoneThere() {
    Random rnd = new Random(5);
    long block = file.allocateBlockNumber();
    PartitionDirectory d = writeLeaf(block, 2000, Compressors.LZ4, rnd);
    assertTrue(d.frameEnd(0) - d.firstFrame(0) > 2, "a basement of several frames");
    Counters counters = new Counters();
    TreeContext cold = context(16 << 10, counters); // no room for the basement: it is peeked
    try (FrameCache tier = new FrameCache(512 << 10, counters)) {
      cold.nodes.frames = tier;
      Node leaf = NodeReader.read(file, block);
      byte[] k = String.format("k%06d", 2 * 1000).getBytes(StandardCharsets.UTF_8);
      Basement got = cold.partitions.basementFor(leaf, 0, k);
      assertTrue(got.find(k) >= 0, "the peek found the key");
      int f0 = leaf.disk.firstFrame(0);
      Basement frames = cold.partitions.peekBasementFrames(leaf, 0, f0, f0 + 2);
      assertTrue(frames.count() > 0);
      assertEquals(2, counters.counter("cache.basement_frame_peeks").sum(), "both reads peeked, none fetched");
      assertEquals(0, tier.frames(), "a basement peek put its frames in the tier");
      assertEquals(0, counters.counter("cache.offheap_hits").sum());

      // A frame the tier holds (a node write puts them there) is taken from it.
      int len = leaf.disk.frameCompressed(f0);
      byte[] comp = new byte[len];
      file.readBlock(block, leaf.disk.frameOffset(f0), comp, 0, len);
      tier.put(FrameTier.key(leaf.disk, f0), comp, 0, len);
      Basement again = cold.partitions.peekBasementFrames(leaf, 0, f0, f0 + 1);
      assertEquals(frames.key(0).length, again.key(0).length);
      assertArrayEquals(frames.key(0), again.key(0));
      assertEquals(1, counters.counter("cache.offheap_hits").sum(), "the frame the tier held was taken from it");
      assertEquals(1, tier.frames());
    }
  }

  /** A leaf of one basement of {@code entries} entries, keys k%06d of even numbers, written with {@code codec}. */
  private PartitionDirectory writeLeaf(long block, int entries, byte codec, Random rnd) {
    BasementBuilder bb = new BasementBuilder(Integer.MAX_VALUE, 64, 77);
    for (int e = 0; e < entries; e++) {
      byte[] k = String.format("k%06d", 2 * e).getBytes(StandardCharsets.UTF_8);
      byte[] v = new byte[rnd.nextInt(40) == 0 ? 5000 : 20 + rnd.nextInt(100)];
      rnd.nextBytes(v);
      bb.emit(k, 0, k.length, v, 0, v.length);
    }
    Node leaf = new Node(block);
    leaf.setLeaf(new byte[0][], new Basement[] {bb.finish().get(0)});
    leaf.maxMsn = 77;
    NodeWriter.Result r = NodeWriter.write(leaf, codec);
    file.writeBlock(block, r.block(), 0, r.block().length);
    return NodeReader.read(file, block).disk;
  }

  @ParameterizedTest
  @ValueSource(bytes = {Compressors.NONE, Compressors.LZ4, Compressors.ZSTD})
  void aPeekIsTheKeysEntryAloneOrNothing(byte codec) {
    long block = file.allocateBlockNumber();
    PartitionDirectory dir = writeLeaf(block, 600, codec, new Random(codec));
    Basement whole = PartitionReader.readBasement(file, block, dir, 0);
    assertTrue(dir.frameEnd(0) > 10, "the basement has many frames: " + dir.frameEnd(0));
    for (int n = -1; n <= 2 * whole.count(); n++) {
      byte[] probe = n < 0 ? new byte[0] : String.format("k%06d", n).getBytes(StandardCharsets.UTF_8);
      Basement peek = FramePeeks.peekBasement(file, block, dir, 0, probe);
      assertEquals(77, peek.maxMsn(), "a peek carries the basement's max MSN");
      int at = whole.find(probe);
      if (at < 0) {
        assertEquals(0, peek.count(), "absent key " + n);
      } else {
        assertEquals(1, peek.count(), "key " + n);
        assertArrayEquals(probe, peek.key(0));
        assertArrayEquals(whole.value(at), peek.value(0), "value of key " + n);
        assertEquals(peek.bytes(), peek.arena().length, "the peek keeps the entry's bytes, not its frame");
        assertEquals(0, peek.find(probe));
      }
    }
  }

  /** Offsets in the block of the entries of frame {@code f} (written uncompressed: the frame is the entries). */
  private static int[] entryOffsets(byte[] block, PartitionDirectory dir, int f) {
    int[] out = new int[dir.frameRaw(f)];
    int n = 0;
    for (int at = dir.frameOffset(f); at < dir.frameOffset(f) + dir.frameRaw(f); ) {
      out[n++] = at;
      int klen = BigEndian.getInt(block, at + 1);
      at += 1 + 4 + klen + 4 + BigEndian.getInt(block, at + 5 + klen);
    }
    return Arrays.copyOf(out, n);
  }

  /** {@code b} with every frame's CRC and the header's made valid again (damage behind the checksums). */
  private static byte[] reseal(byte[] b) {
    NodeFuzzTest.resealFrames(b, null);
    Fuzz.sealAt(b, 0, ByteBuffer.wrap(b).getInt(4) - 4);
    return b;
  }

  @Test
  void entriesOutOfOrderBeforeTheKeyAreCorruption() {
    long block = file.allocateBlockNumber();
    PartitionDirectory dir = writeLeaf(block, 600, Compressors.NONE, new Random(3));
    int f = dir.firstFrame(0) + 2;
    byte[] good = file.readBlock(block);
    int[] entries = entryOffsets(good, dir, f);
    assertTrue(entries.length > 6, "frame " + f + " holds several entries");
    byte[] bad = good.clone();
    bad[entries[3] + 5] = 0; // entry 3's key now sorts below entry 2's
    file.writeBlock(block, reseal(bad), 0, bad.length);
    PartitionDirectory now = NodeReader.read(file, block).disk;
    byte[] past = keyAt(good, entries[5]);
    CorruptionException e = assertThrows(CorruptionException.class, () -> FramePeeks.peekBasement(file, block, now, 0, past));
    assertTrue(e.getMessage().contains("out of order"), e.getMessage());
    // A key before the damage is found: a peek scans its frame only up to its key.
    byte[] before = keyAt(good, entries[1]);
    assertEquals(1, FramePeeks.peekBasement(file, block, now, 0, before).count());
  }

  @Test
  void aFrameNotBeginningWithItsIndexedKeyIsCorruption() {
    long block = file.allocateBlockNumber();
    PartitionDirectory dir = writeLeaf(block, 600, Compressors.NONE, new Random(4));
    int f = dir.firstFrame(0) + 3;
    byte[] good = file.readBlock(block);
    int[] entries = entryOffsets(good, dir, f);
    byte[] bad = good.clone();
    bad[entries[0] + 5 + 6] ^= 1; // the last digit of the frame's first key
    file.writeBlock(block, reseal(bad), 0, bad.length);
    PartitionDirectory now = NodeReader.read(file, block).disk;
    byte[] probe = keyAt(good, entries[2]);
    CorruptionException e = assertThrows(CorruptionException.class, () -> FramePeeks.peekBasement(file, block, now, 0, probe));
    assertTrue(e.getMessage().contains("indexed first key"), e.getMessage());
  }

  private static byte[] keyAt(byte[] block, int entry) {
    int klen = BigEndian.getInt(block, entry + 1);
    return Arrays.copyOfRange(block, entry + 5, entry + 5 + klen);
  }
}
