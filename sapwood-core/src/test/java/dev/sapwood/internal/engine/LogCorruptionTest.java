package dev.sapwood.internal.engine;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sapwood.CorruptionException;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunctions;
import dev.sapwood.WriteBatch;
import dev.sapwood.internal.engine.DurabilityModel.Op;
import dev.sapwood.internal.engine.DurabilityModel.State;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.util.Varint;
import dev.sapwood.internal.wal.LogBytes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Damage to the write-ahead log, byte by byte, on a small log of SYNC batches behind a checkpoint
 * (docs/format/log.md), its frames compressed as one zstd stream: a changed byte anywhere — segment header, record header, either CRC,
 * payload — is a {@link CorruptionException} naming the segment file, never a silent skip; a log
 * cut short at any byte, or ending in zeros from a record boundary, opens with the whole records
 * before the cut and counts the cut bytes in {@code recovery.torn_bytes}.
 */
@dev.sapwood.testlog.CapturesEngineLog
class LogCorruptionTest {
  private static final Path DIR = Path.of("/db");
  private static final int SEGMENT_HEADER = LogBytes.STREAM_SEGMENT_HEADER; // the engine's segments are compressed
  private static final int FIRST_FRAME = LogBytes.FIRST_FRAME; // after the stage slot

  static Options options() {
    return Options.defaults().syncInterval(Duration.ofHours(1)).checkpointInterval(Duration.ofDays(1));
  }

  /** A crashed database with 12 logged batches; the states after each whole record; the segment. */
  static final class Fixture {
    final MemoryFileIo mem = new MemoryFileIo();
    final List<State> states = new ArrayList<>(); // states.get(k): after the first k batches
    Path segment;
    byte[] bytes;
    final List<Integer> recordEnds = new ArrayList<>(); // offsets just past each record

    Fixture() {
      Database db = TestSeams.open(DIR, options(), mem);
      Tree t = db.tree("t");
      db.checkpoint(); // the tree's creation is in the checkpoint; the log holds only the batches
      State s = new State();
      states.add(s.copy());
      for (int i = 0; i < 12; i++) {
        WriteBatch b = new WriteBatch();
        List<Op> ops = new ArrayList<>();
        byte[] k = ("key" + i).getBytes(US_ASCII);
        byte[] v = ("value-" + i + "-" + "x".repeat(i * 7)).getBytes(US_ASCII);
        b.put(t, k, v);
        ops.add(new Op(DurabilityModel.PUT, "t", k, v));
        byte[] c = "counter".getBytes(US_ASCII);
        b.update(t, c, UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(i + 1));
        ops.add(new Op(DurabilityModel.ADD, "t", c, UpdateFunctions.fromLong(i + 1)));
        db.write(b, Durability.SYNC);
        for (Op op : ops) {
          s.apply(op);
        }
        states.add(s.copy());
      }
      mem.crash(); // every batch was SYNC: all are in the log, none in the block file
      try {
        db.close();
      } catch (RuntimeException expected) {
        // its files are gone from under it
      }
      for (Path p : mem.list(DIR.resolve(DatabaseOpener.WAL_DIR))) {
        if (segment == null || mem.written(p).length > mem.written(segment).length) {
          segment = p;
        }
      }
      bytes = mem.written(segment);
      // The tree's creation was staged (ASYNC) in the slot, and stays there, stale: the first
      // SYNC batch put it in a frame.
      assertEquals(bytes.length, LogBytes.framesEnd(bytes), "the file ends at the frames' end");
      // Walk the frames by the documented layout (each SYNC batch is a frame of one record, its body
      // compressed by the segment's stream).
      assertTrue(LogBytes.isCompressed(bytes), "the engine writes compressed segments");
      int pos = FIRST_FRAME;
      while (pos < bytes.length) {
        long body = Varint.get(bytes, pos + 4, bytes.length, Varint.MAX_INT_BYTES);
        int rawAt = pos + 4 + Varint.size(body);
        long raw = Varint.get(bytes, rawAt, bytes.length, Varint.MAX_INT_BYTES);
        assertTrue(raw > 0, "a small frame is compressed");
        long delta = Varint.get(bytes, rawAt + Varint.size(raw), bytes.length, Varint.MAX_LONG_BYTES);
        int at = rawAt + Varint.size(raw) + Varint.size(delta);
        long claim = Varint.get(bytes, at, bytes.length, Varint.MAX_LONG_BYTES);
        pos = at + Varint.size(claim) + (body > 256 ? 4 : 0) + (int) body;
        recordEnds.add(pos);
      }
      assertEquals(bytes.length, pos, "records do not tile the segment");
      assertTrue(recordEnds.size() >= 12, "expected the 12 batches in one segment, found " + recordEnds.size() + " records");
    }

    /** A copy of the database with the segment replaced by {@code log}. */
    MemoryFileIo with(byte[] log) {
      MemoryFileIo m = new MemoryFileIo();
      List<Path> files = new ArrayList<>(mem.list(DIR));
      files.addAll(mem.list(DIR.resolve(DatabaseOpener.WAL_DIR)));
      for (Path p : files) {
        m.setContents(p, p.equals(segment) ? log : mem.contents(p));
      }
      return m;
    }

    /** Batches whose records end at or before {@code cut} (the first records may be others). */
    State stateAt(int cut) {
      int whole = 0;
      for (int end : recordEnds) {
        if (end <= cut) {
          whole++;
        }
      }
      int batches = whole - (recordEnds.size() - 12); // records before the batches (if any)
      return states.get(Math.max(0, batches));
    }
  }

  @Test
  void theUndamagedLogReplaysEveryBatch() {
    Fixture f = new Fixture();
    try (Database db = TestSeams.open(DIR, options(), f.with(f.bytes))) {
      assertEquals(null, f.states.get(12).diff(State.read(db)));
      assertEquals(0, db.stats().get("recovery.torn_bytes"));
      assertTrue(db.stats().get("recovery.records_replayed") >= 12);
    }
  }

  /**
   * A changed byte in the segment header, or in any record that a later record shows was synced
   * (its syncedLsn), is corruption naming the segment; a changed byte in the last record, which
   * nothing after it shows was synced, cannot be told from a torn write: it is cut, and counted.
   */
  @Test
  void everyFlippedByteOfTheLogIsCorruptionNamingTheSegmentOrATornLastRecord() {
    Fixture f = new Fixture();
    int lastStart = f.recordEnds.get(f.recordEnds.size() - 2);
    for (int i = 0; i < f.bytes.length; i = i == SEGMENT_HEADER - 1 ? FIRST_FRAME : i + 1) {
      for (int mask : new int[] {0x01, 0x80}) {
        byte[] damaged = f.bytes.clone();
        damaged[i] ^= (byte) mask;
        String ctx = "byte " + i + " of " + f.bytes.length + " xor " + mask;
        if (i >= lastStart) {
          try (Database db = TestSeams.open(DIR, options(), f.with(damaged))) {
            String d = f.stateAt(lastStart).diff(State.read(db));
            assertTrue(d == null, ctx + " (in the last record): " + d);
            assertEquals(f.bytes.length - lastStart, db.stats().get("recovery.torn_bytes"), ctx);
          } catch (RuntimeException e) {
            throw new AssertionError(ctx + " (in the last record): " + e, e);
          }
          continue;
        }
        try (Database db = TestSeams.open(DIR, options(), f.with(damaged))) {
          fail(ctx + ": opened; read " + State.read(db).tree("t").size() + " keys, torn bytes "
              + db.stats().get("recovery.torn_bytes"));
        } catch (CorruptionException e) {
          assertTrue(e.file().contains(f.segment.getFileName().toString()),
              ctx + ": the exception does not name the segment: " + e.getMessage());
        }
      }
    }
  }

  /**
   * The stage slot is read only for records staged after the last frame (none here: every batch
   * was synced, so the slot's staged frame is stale): damage there changes nothing.
   */
  @Test
  void damageInTheStageSlotChangesNothing() {
    Fixture f = new Fixture();
    long seed = System.nanoTime();
    java.util.Random r = new java.util.Random(seed);
    for (int n = 0; n < 300; n++) {
      // The staged frame's bytes (at the slot's start) mostly, some anywhere in the slot.
      int i = SEGMENT_HEADER + (n % 2 == 0 ? r.nextInt(200) : r.nextInt(FIRST_FRAME - SEGMENT_HEADER));
      byte[] damaged = f.bytes.clone();
      damaged[i] ^= (byte) (1 + r.nextInt(255));
      String ctx = "byte " + i + " of the slot, seed " + seed;
      try (Database db = TestSeams.open(DIR, options(), f.with(damaged))) {
        assertEquals(null, f.states.get(12).diff(State.read(db)), ctx);
        assertEquals(0, db.stats().get("recovery.torn_bytes"), ctx);
      }
    }
  }

  @Test
  void aLogCutShortAtAnyByteLosesOnlyTheCutRecord() {
    Fixture f = new Fixture();
    for (int cut = FIRST_FRAME + 1; cut < f.bytes.length; cut++) {
      String ctx = "log cut at " + cut + " of " + f.bytes.length;
      try (Database db = TestSeams.open(DIR, options(), f.with(Arrays.copyOf(f.bytes, cut)))) {
        String d = f.stateAt(cut).diff(State.read(db));
        assertTrue(d == null, ctx + ": " + d);
        int lastWhole = FIRST_FRAME;
        for (int end : f.recordEnds) {
          if (end <= cut) {
            lastWhole = end;
          }
        }
        // A cut inside the first frame (the tree's creation, staged before it was framed): the slot
        // still holds that record staged, and recovery puts it back in the torn frame's place.
        long torn = cut < f.recordEnds.get(0) ? 0 : cut - lastWhole;
        assertEquals(torn, db.stats().get("recovery.torn_bytes"), ctx + ": torn bytes");
      } catch (RuntimeException e) {
        throw new AssertionError(ctx + ": " + e, e);
      }
    }
  }

  /**
   * The engine's segments end at their last frame (docs/format/log.md, "The stage slot"): zeros
   * after a whole frame are frames a power loss took (the file's new length kept, not its last
   * blocks), so the records before them are the state and the zeros are counted as torn.
   */
  @Test
  void zerosFromARecordBoundaryToTheEndAreATornTail() {
    Fixture f = new Fixture();
    assertEquals(8, f.bytes[19] & 8, "the engine writes segments with a stage slot (flags, byte 16..19)");
    for (int start : f.recordEnds.subList(0, f.recordEnds.size() - 1)) {
      byte[] log = f.bytes.clone();
      Arrays.fill(log, start, log.length, (byte) 0);
      String ctx = "zeros from record boundary " + start;
      try (Database db = TestSeams.open(DIR, options(), f.with(log))) {
        String d = f.stateAt(start).diff(State.read(db));
        assertTrue(d == null, ctx + ": " + d);
        assertEquals(log.length - start, db.stats().get("recovery.torn_bytes"), ctx);
      } catch (RuntimeException e) {
        throw new AssertionError(ctx + ": " + e, e);
      }
    }
  }

  /**
   * After a power loss a file system may keep a file's new length but not all of its last
   * written block: the last record is partly written and then zeros to the end. That is a torn
   * tail too (nothing after it), so recovery should cut it rather than refuse to open.
   */
  @Test
  void zerosFromInsideTheLastRecordToTheEndAreATornTail() {
    Fixture f = new Fixture();
    int lastStart = f.recordEnds.get(f.recordEnds.size() - 2);
    for (int start = lastStart + 1; start < f.bytes.length; start++) {
      byte[] log = f.bytes.clone();
      Arrays.fill(log, start, log.length, (byte) 0);
      String ctx = "zeros from " + start + " inside the last record [" + lastStart + ", " + f.bytes.length + ")";
      try (Database db = TestSeams.open(DIR, options(), f.with(log))) {
        String d = f.stateAt(lastStart).diff(State.read(db));
        assertTrue(d == null, ctx + ": " + d);
      } catch (RuntimeException e) {
        throw new AssertionError(ctx + ": " + e, e);
      }
    }
  }
}
