package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.CorruptionException;
import dev.sapwood.Limits;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.tree.MessageType;
import dev.sapwood.internal.util.Varint;
import dev.sapwood.internal.tree.RangeUpdates;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.wal.LogBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Log records that lie — well-formed, with good checksums, saying what the engine never writes —
 * fail the open with a {@link CorruptionException} naming the segment, instead of being replayed
 * and refused later (by the engine, or by the next open reading the catalog the replay wrote).
 */
class LogRecordValidationTest {
  private static final Path DIR = Path.of("/db");
  private static final Options OPTIONS =
      Options.defaults().syncInterval(Duration.ofHours(1)).checkpointInterval(Duration.ofDays(1));

  private final MemoryFileIo io = new MemoryFileIo();

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A database with tree "t" (id 1) in its checkpoint, crashed; then {@code payload} appended to
   * its log as the next record, synced. Returns the exception of the open, or null if it opened.
   */
  private RuntimeException openWith(byte[] payload) {
    DatabaseImpl db = TestSeams.open(DIR, OPTIONS, io);
    Tree t = db.tree("t");
    t.put(b("k"), b("v"));
    db.checkpoint();
    long next = db.stats().get("log.next_lsn");
    TestSeams.halt(db);
    io.crash();
    Path seg = null;
    for (Path p : io.list(DIR.resolve(DatabaseOpener.WAL_DIR))) {
      if (seg == null || p.getFileName().toString().compareTo(seg.getFileName().toString()) > 0) {
        seg = p;
      }
    }
    byte[] old = io.written(seg);
    old = Arrays.copyOf(old, LogBytes.framesEnd(old)); // the frames, not the stale staged ones after them
    long segmentFirst = LogBytes.firstLsnOf(seg.getFileName().toString());
    byte[] rec = LogBytes.frameFor(old, segmentFirst, next, next - 1, payload);
    byte[] both = Arrays.copyOf(old, old.length + rec.length);
    System.arraycopy(rec, 0, both, old.length, rec.length);
    io.setContents(seg, both);
    try (DatabaseImpl again = TestSeams.open(DIR, OPTIONS, io)) {
      assertEquals(1, again.stats().get("recovery.records_replayed"));
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  private void assertCorrupt(byte[] payload, String says) {
    RuntimeException e = openWith(payload);
    assertTrue(e instanceof CorruptionException, "expected a CorruptionException, got " + e);
    assertTrue(e.getMessage().contains(says), e.getMessage());
    assertTrue(e.getMessage().contains(".log"), "names the segment: " + e.getMessage());
  }

  private static byte[] createTree(int id, byte[] name) {
    byte[] p = new byte[1 + 5 + 5 + name.length];
    p[0] = LogRecords.CREATE_TREE;
    int at = Varint.put(p, 1, id);
    at = Varint.put(p, at, name.length);
    System.arraycopy(name, 0, p, at, name.length);
    return Arrays.copyOf(p, at + name.length);
  }

  @Test
  void theRecordsTheEngineWritesReplay() {
    assertEquals(null, openWith(LogRecords.createTree(2, "u")));
  }

  @Test
  void aTreeWithAnEmptyNameIsCorruption() {
    assertCorrupt(createTree(2, new byte[0]), "name");
  }

  @Test
  void aTreeWithA300ByteNameIsCorruption() {
    byte[] name = new byte[300];
    Arrays.fill(name, (byte) 'n');
    assertCorrupt(createTree(2, name), "name");
  }

  @Test
  void aTreeNameThatIsNotUtf8IsCorruption() {
    assertCorrupt(createTree(2, new byte[] {'a', (byte) 0xFF, 'b'}), "UTF-8");
  }

  @Test
  void aTreeIdOfIntegerMaxValueIsCorruptionNotAnUnopenableCatalogLater() {
    assertCorrupt(createTree(Integer.MAX_VALUE, b("big")), "id");
  }

  @Test
  void aReusedTreeIdIsCorruption() {
    assertCorrupt(createTree(1, b("again")), "id");
  }

  @Test
  void aDeleteCarryingAValueIsCorruption() {
    assertCorrupt(LogRecords.single(MessageType.DELETE, 1, b("k"), b("not empty"), null), "value length");
  }

  @Test
  void anEmptyOrBackwardRangeDeleteIsCorruption() {
    assertCorrupt(LogRecords.single(MessageType.DELETE_RANGE, 1, b("m"), b("m"), null), "range");
  }

  private static final byte[] APPEND = b("sapwood.append");

  @Test
  void aRangeUpdateReplays() {
    assertEquals(null, openWith(LogRecords.single(MessageType.UPDATE_RANGE, 1, b("a"), RangeUpdates.encode(b("z"), b("!")), APPEND)));
  }

  @Test
  void aBroadcastUpdateWithNoEndReplays() {
    assertEquals(null, openWith(LogRecords.single(MessageType.UPDATE_RANGE, 1, new byte[0], RangeUpdates.encode(null, b("!")), APPEND)));
  }

  @Test
  void anEmptyRangeUpdateIsCorruption() {
    assertCorrupt(LogRecords.single(MessageType.UPDATE_RANGE, 1, b("m"), RangeUpdates.encode(b("m"), b("!")), APPEND), "empty key range");
  }

  @Test
  void aRangeUpdateWithoutItsEndFlagIsCorruption() {
    assertCorrupt(LogRecords.single(MessageType.UPDATE_RANGE, 1, b("m"), new byte[0], APPEND), "end flag");
  }

  @Test
  void aRangeUpdateWithAnUnknownEndFlagIsCorruption() {
    assertCorrupt(LogRecords.single(MessageType.UPDATE_RANGE, 1, b("m"), new byte[] {2, 'x'}, APPEND), "end flag 2");
  }

  @Test
  void aRangeUpdateEndLengthPastItsValueIsCorruption() {
    assertCorrupt(LogRecords.single(MessageType.UPDATE_RANGE, 1, b("m"), new byte[] {1, 0x7F, 0, 0, 0, 'z'}, APPEND), "end length");
  }

  @Test
  void aRangeUpdateWithAnEmptyFunctionNameIsCorruption() {
    assertCorrupt(LogRecords.single(MessageType.UPDATE_RANGE, 1, b("a"), RangeUpdates.encode(b("z"), b("!")), new byte[0]), "function name");
  }

  @Test
  void anUpdateWithAnEmptyFunctionNameIsCorruption() {
    assertCorrupt(LogRecords.single(MessageType.UPDATE, 1, b("k"), b("a"), new byte[0]), "function name");
  }

  @Test
  void aValueAboveTheLimitIsCorruption() {
    // kind, count 1, put, tree 1, key length 1, "k", a value length over the limit, no value
    byte[] p = {LogRecords.BATCH, 1, MessageType.PUT, 1, 1, 'k', 0, 0, 0, 0};
    int end = Varint.put(p, 6, Limits.MAX_VALUE_SIZE + 1);
    assertCorrupt(Arrays.copyOf(p, end), "value length");
  }

  @Test
  void anEmptyBatchIsCorruption() {
    assertCorrupt(new byte[] {LogRecords.BATCH, 0}, "empty batch");
  }

  @Test
  void anOpOnATreeThatDoesNotExistIsCorruption() {
    assertCorrupt(LogRecords.single(MessageType.PUT, 9, b("k"), b("v"), null), "unknown tree 9");
  }
}
