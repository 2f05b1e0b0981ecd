package dev.sapwood.internal.store;

import static org.junit.jupiter.api.Assertions.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.SapwoodException;
import dev.sapwood.internal.io.MemoryFileIo;
import dev.sapwood.internal.util.Checksums;
import dev.sapwood.internal.util.Compressors;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HeaderSlotTest {
  static final Header.Settings SETTINGS = new Header.Settings(65536, 8192, 16, Compressors.LZ4);
  private final MemoryFileIo io = new MemoryFileIo();
  private final Path path = Path.of("/db/t.sap");

  /** A file with checkpoints 1 (slot 1) and 2 (slot 0), each with a different catalog block. */
  private byte[] twoCheckpoints() {
    try (BlockFile f = BlockFile.create(io, path, SETTINGS)) {
      long b = f.allocateBlockNumber();
      f.writeBlock(b, new byte[] {1}, 0, 1);
      f.checkpoint(b, 10, 100);
      f.writeBlock(b, new byte[] {2}, 0, 1);
      f.checkpoint(b, 20, 200);
    }
    return io.contents(path);
  }

  private Header openHeader(byte[] bytes) {
    io.setContents(path, bytes);
    try (BlockFile f = BlockFile.open(io, path)) {
      return f.header();
    }
  }

  @Test
  void bothValidTakesTheHigherCount() {
    Header h = openHeader(twoCheckpoints());
    assertEquals(2, h.checkpointCount());
    assertEquals(200, h.checkpointLsn());
    assertEquals(20, h.maxMsn());
    assertEquals(SETTINGS, h.settings());
  }

  @Test
  void aDamagedNewerSlotFallsBackToTheOlder() {
    byte[] bytes = twoCheckpoints();
    bytes[100] ^= 1; // slot 0 holds checkpoint 2
    Header h = openHeader(bytes);
    assertEquals(1, h.checkpointCount());
    assertEquals(100, h.checkpointLsn());
  }

  @Test
  void aDamagedOlderSlotIsIgnored() {
    byte[] bytes = twoCheckpoints();
    bytes[4096 + 20] ^= 1;
    assertEquals(2, openHeader(bytes).checkpointCount());
  }

  @Test
  void bothDamagedIsCorruption() {
    byte[] bytes = twoCheckpoints();
    bytes[30] ^= 1;
    bytes[4096 + 30] ^= 1;
    io.setContents(path, bytes);
    CorruptionException e = assertThrows(CorruptionException.class, () -> BlockFile.open(io, path));
    assertEquals(0, e.offset());
    assertTrue(e.getMessage().contains("slot 0") && e.getMessage().contains("slot 1"),
        e.getMessage());
  }

  @Test
  void aFileTooShortForTheHeadersIsCorruption() {
    io.setContents(path, new byte[100]);
    assertThrows(CorruptionException.class, () -> BlockFile.open(io, path));
  }

  @Test
  void everyByteFlipInEitherSlotIsDetectedOrSurvived() {
    byte[] good = twoCheckpoints();
    for (int i = 0; i < 2 * BlockFileFormat.HEADER_SLOT_SIZE; i++) {
      byte[] bytes = good.clone();
      bytes[i] ^= (byte) 0x5a;
      Header h = openHeader(bytes);
      long expected = i < BlockFileFormat.HEADER_SLOT_SIZE ? 1 : 2;
      assertEquals(expected, h.checkpointCount(), "flip at byte " + i);
    }
  }

  @Test
  void aNewerFormatVersionIsRefusedWithBothVersionsNamed() {
    byte[] bytes = twoCheckpoints();
    rewriteSlot(bytes, 0, FormatVersion.CURRENT + 1);
    io.setContents(path, bytes);
    SapwoodException e = assertThrows(SapwoodException.class, () -> BlockFile.open(io, path));
    assertFalse(e instanceof CorruptionException);
    assertTrue(e.getMessage().contains("version " + (FormatVersion.CURRENT + 1)), e.getMessage());
    assertTrue(e.getMessage().contains(String.valueOf(FormatVersion.CURRENT)), e.getMessage());
  }

  @Test
  void anUnknownOldVersionIsRefusedToo() {
    byte[] bytes = twoCheckpoints();
    rewriteSlot(bytes, 1, 0);
    io.setContents(path, bytes);
    SapwoodException e = assertThrows(SapwoodException.class, () -> BlockFile.open(io, path));
    assertTrue(e.getMessage().contains("version 0"), e.getMessage());
  }

  /** Sets the version of a slot and fixes its CRC, as a different build would have written it. */
  private static void rewriteSlot(byte[] bytes, int slot, int version) {
    int base = slot * BlockFileFormat.HEADER_SLOT_SIZE;
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.putInt(base + BlockFileFormat.H_VERSION, version);
    b.putInt(base + BlockFileFormat.H_CRC,
        Checksums.crc32c(bytes, base, BlockFileFormat.H_CRC));
  }

  @Test
  void encodeDecodeRoundTrip() {
    Header h = new Header(FormatVersion.CURRENT, 7, 8, 9, 10, 11, 12, 13, Compressors.ZSTD, 14, 15, 16384, 28, 17);
    byte[] slot = HeaderEncoding.encode(h);
    assertEquals(BlockFileFormat.HEADER_SLOT_SIZE, slot.length);
    assertEquals(h, HeaderEncoding.decode(slot, slot.length, "f", 4096));
  }
}
