package dev.sapwood.internal.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.internal.cache.FrameCache;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.stats.Counters;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.store.Header;
import dev.sapwood.internal.util.Compressors;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node loaded from its parked image lets the image go when its load ends, whatever other threads
 * did with the node between its publication in the cache's map and the end of the load (the
 * interleaving is forced by the cache's test hook, the other thread's work run while the loader
 * waits): written back, so clean; or, for a node read from the file, changed, so dirty with no
 * image. A checkpoint after it ends (a full build once hung in a close's checkpoint, waiting for an
 * image no thread would settle). A load that cannot put its node in the map gives the image back.
 */
class ParkedNodeLoadTest {
  /** Far beyond any correct run's wait; only turns a hang into a failure. */
  private static final Duration HANG = Duration.ofSeconds(30);

  private final BlockFile file = BlockFile.create(new MemoryFileIo(), Path.of("/db/load.sap"),
      new Header.Settings(16 << 10, 1 << 10, 4, Compressors.LZ4));
  private final TreeContext ctx = new TreeContext(file, 64 << 20, 16 << 10, 1 << 10, 4, Compressors.LZ4,
      name -> null, 0, new Counters());
  private final NodeStore store;

  ParkedNodeLoadTest() {
    ctx.frameCache(new FrameCache(4 << 20, new Counters()));
    store = ctx.nodes;
  }

  @AfterEach
  void close() {
    store.cache.onLoadPublished(null);
    ctx.closeOffHeap(); // also wakes a checkpoint left waiting by a failed run
    file.close();
  }

  /** {@code node} as a tree's root (registered): a load of it through no parent knows its tree. */
  private Node rootOfItsOwn(Node node) {
    node.versions = ctx.owners.register(node.key());
    node.rows = ctx.rows(node.key());
    return node;
  }

  /** A dirty internal node, cached, then parked: its image is all there is of it. */
  private Node parked() {
    Node node = rootOfItsOwn(NodeCodecTest.sampleInternal(file.allocateBlockNumber(), 0));
    node.dirty = true;
    store.cache.insertPinned(node);
    store.cache.unpinWrite(node);
    assertTrue(store.cache.parkNow(node.key()), "parked");
    assertFalse(store.cache.isCached(node.key()));
    assertEquals(1, store.parked().figures().images());
    return node;
  }

  /** Runs {@code work} with the node's key on another thread each time a load is published, and waits for it. */
  private void whenPublished(LongConsumer work) {
    store.cache.onLoadPublished(key -> CompletableFuture.runAsync(() -> work.accept(key)).join());
  }

  /** Writes back the cached node of {@code key}, as the clock does to an unreferenced dirty node. */
  private void writeBack(long key) {
    Node n = store.cache.pinWriteIfCached(key);
    store.writeNode(n);
    store.cache.unpinWrite(n);
  }

  /** A checkpoint's begin and node writes (the close's, as in the hang); the blocks it waited for. */
  private long[] checkpoint() {
    long[] pending = store.markPending();
    file.beginCheckpoint();
    assertTimeoutPreemptively(HANG, () -> store.writePending(pending),
        "the checkpoint waits for a parked image no one settles");
    return pending;
  }

  @Test
  void aNodeWrittenBackBeforeItsLoadEndsLetsItsImageGoAndTheCheckpointEnds() {
    Node before = parked();
    whenPublished(this::writeBack);
    Node loaded = store.cache.pinRead(before.key());
    store.cache.unpinRead(loaded);
    assertFalse(loaded.dirty, "written back while its loader had it in the map");
    assertEquals(0, checkpoint().length, "nothing dirty: the file holds the node");
    assertEquals(0, store.parked().figures().images(), "the image outlived its load");
    assertArrayEquals(before.pivots, NodeReader.read(file, before.key()).pivots);
  }

  @Test
  void aNodeWrittenBackAndEvictedBeforeItsLoadEndsIsReadFromTheFileNext() {
    Node before = parked();
    whenPublished(key -> {
      store.cache.onLoadPublished(null);
      writeBack(key);
      Node n = store.cache.pinWriteIfCached(key);
      store.cache.remove(n); // out of the map before its loader pinned it, as an eviction takes it
    });
    Node loaded = store.cache.pinRead(before.key()); // its pin missed the node, and it loaded again
    store.cache.unpinRead(loaded);
    assertFalse(loaded.dirty, "read from the file, where the write-back put it");
    assertArrayEquals(before.pivots, loaded.pivots);
    assertEquals(0, store.parked().figures().images(), "the image outlived its load");
    assertEquals(0, checkpoint().length);
  }

  @Test
  void aNodeReadFromTheFileAndChangedBeforeItsLoadEndsHasNoImageToLetGo() {
    Node node = rootOfItsOwn(NodeCodecTest.sampleInternal(file.allocateBlockNumber(), 0));
    NodeWriter.Result r = NodeWriter.write(node, Compressors.LZ4);
    file.writeBlock(node.key(), r.block(), 0, r.block().length);
    whenPublished(key -> {
      Node n = store.cache.pinWriteIfCached(key);
      for (int i = 0; i < n.n; i++) { // a flush into it fetches its buffers, then changes them
        n.buffers[i] = PartitionReader.readBuffer(file, key, n.disk, i);
      }
      n.dirty = true;
      store.cache.unpinWrite(n);
    });
    Node loaded = store.cache.pinRead(node.key()); // threw: "no image in state 1"
    store.cache.unpinRead(loaded);
    assertTrue(loaded.dirty);
    assertArrayEquals(new long[] {node.key()}, checkpoint());
    assertFalse(loaded.dirty, "the checkpoint wrote it");
  }

  @Test
  void aLoadWhoseNodeNeverEntersTheMapLeavesItsImageParked() {
    Node before = parked();
    Node loaded = store.parking().load(before.key());
    assertTrue(loaded.dirty);
    store.parking().abandoned(loaded);
    assertEquals(1, store.parked().figures().images(), "the image is all there is of the node");
    Node again = store.cache.pinRead(before.key());
    store.cache.unpinRead(again);
    assertTrue(again.dirty, "loaded from its image again");
    assertEquals(0, store.parked().figures().images());
    assertArrayEquals(new long[] {before.key()}, checkpoint());
  }
}
