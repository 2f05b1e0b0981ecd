package dev.sapwood.internal.store;

import static dev.sapwood.internal.store.BlockFileFormat.*;

import dev.sapwood.CorruptionException;
import dev.sapwood.StorageException;
import dev.sapwood.internal.io.FileIo;
import dev.sapwood.internal.io.IoFile;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Creates block files, and loads the state of an existing one: the chosen header ({@link
 * HeaderSelector}), its block table, verified ({@link BlockTableEncoding}), and the free space and
 * free block numbers rebuilt from that table (everything not referenced is free). The
 * allocator's end is the end of the highest extent the table uses; whatever the file holds past
 * it (blocks written after that checkpoint) is free and cut by the next checkpoint.
 *
 * <p>The table's size comes from the header. Before the buffer for it is allocated it is checked
 * against what the file can hold (the table inside the file; no more entries than 4096-byte units
 * after the header slots) and the table's CRC32C is verified by streaming it through a small
 * buffer: a damaged size allocates nothing.
 */
final class BlockFileLoader {
  /** What {@link #load} found. */
  record Loaded(StickyFile file, Header header, BlockTable table, BlockNumberPool numbers,
      SpaceAllocator space) {}

  private BlockFileLoader() {}

  /** {@link BlockFile#create}: writes the empty table and both header slots, fsynced. */
  static Loaded create(FileIo io, Path path, Header.Settings settings) {
    Objects.requireNonNull(settings, "settings");
    StickyFile f = new StickyFile(openFile(io, path, false));
    try {
      if (f.size() > 0) {
        throw new IllegalStateException(path + ": cannot create a block file, file is not empty");
      }
      byte[] tableBytes = BlockTableEncoding.encode(0, new BlockTable().sorted());
      long now = System.currentTimeMillis();
      Header h = new Header(FormatVersion.CURRENT, 0, 0, 0, 0, settings.nodeSize(),
          settings.basementSize(), settings.fanout(), settings.compression(), now, now,
          DATA_START, tableBytes.length, 1);
      f.write(DATA_START, tableBytes, 0, tableBytes.length);
      f.force();
      byte[] slot = HeaderEncoding.encode(h);
      for (int s = 0; s < HEADER_SLOTS; s++) {
        f.write(slotOffset(s), slot, 0, slot.length);
      }
      f.force();
      SpaceAllocator space = new SpaceAllocator(DATA_START);
      space.allocate(extentLength(tableBytes.length));
      return new Loaded(f, h, new BlockTable(), new BlockNumberPool(1), space);
    } catch (RuntimeException e) {
      closeQuietly(f, e);
      throw e;
    }
  }

  /** {@link BlockFile#open}: the file opened and {@link #load}ed. */
  static Loaded open(FileIo io, Path path) {
    return open(io, path, false);
  }

  /** {@link BlockFile#open}, or {@link BlockFile#openReadOnly} if {@code readOnly}. */
  static Loaded open(FileIo io, Path path, boolean readOnly) {
    if (!io.exists(path)) {
      throw new StorageException(path + ": no such block file",
          new NoSuchFileException(path.toString()));
    }
    StickyFile f = new StickyFile(openFile(io, path, readOnly));
    try {
      return load(f);
    } catch (RuntimeException e) {
      closeQuietly(f, e);
      throw e;
    }
  }

  /** {@link BlockFile#headerSlotsEmpty}. */
  static boolean headerSlotsEmpty(FileIo io, Path path) {
    try (IoFile f = io.openReadOnly(path)) {
      byte[] b = new byte[(int) Math.min(f.size(), DATA_START)];
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b);
      while (bb.hasRemaining() && f.read(bb.position(), bb) >= 0) {
        // read until full or at the end
      }
      for (byte x : b) {
        if (x != 0) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      throw new StorageException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  static Loaded load(StickyFile f) {
    long fileSize = f.size();
    Header h = HeaderSelector.select(f);
    if (h.blockTableOffset() + h.blockTableSize() > fileSize) {
      throw new CorruptionException(f.name(), h.blockTableOffset(),
          "block table of " + h.blockTableSize() + " bytes extends past the end of the file ("
              + fileSize + " bytes)");
    }
    // Every entry owns a unit of its own, inside the file (the last may be partial) or, for one
    // empty block, just past its end; so do the table's: a table claiming more entries than the
    // file has units is damaged, however large a sparse file makes it look.
    long units = Math.max(0, (fileSize - DATA_START + ALIGNMENT - 1) / ALIGNMENT);
    if (h.blockTableSize() > tableSize(units)) {
      throw new CorruptionException(f.name(), h.blockTableOffset(),
          "block table of " + h.blockTableSize() + " bytes has room for more blocks than the file"
              + " of " + fileSize + " bytes can hold");
    }
    checkTableChecksum(f, h);
    byte[] bytes = new byte[h.blockTableSize()];
    f.readFully(h.blockTableOffset(), bytes, 0, bytes.length, "the block table");
    BlockTable table = new BlockTable(BlockTableEncoding.decode(bytes, f.name(), h, fileSize));
    List<long[]> used = table.extents();
    used.add(new long[] {h.blockTableOffset(), extentLength(h.blockTableSize())});
    SpaceAllocator space = SpaceAllocator.rebuild(DATA_START, used.toArray(new long[0][]));
    BlockNumberPool numbers =
        BlockNumberPool.rebuild(h.nextBlockNumber(), table.sorted().keySet());
    return new Loaded(f, h, table, numbers, space);
  }

  private static IoFile openFile(FileIo io, Path path, boolean readOnly) {
    try {
      return readOnly ? io.openReadOnly(path) : io.open(path);
    } catch (IOException e) {
      throw new StorageException(path + ": cannot open block file", e);
    }
  }

  private static void closeQuietly(StickyFile f, RuntimeException primary) {
    try {
      f.close();
    } catch (RuntimeException e) {
      primary.addSuppressed(e);
    }
  }

  /**
   * Checks the table's CRC32C streaming through a small buffer, so a table size that the header's
   * own checksum could not vouch for (the header is rewritten on every checkpoint; the size is
   * only plausible) allocates nothing before the table's checksum vouches for it.
   */
  private static void checkTableChecksum(StickyFile f, Header h) {
    byte[] stored = new byte[4];
    long crcAt = h.blockTableOffset() + h.blockTableSize() - 4;
    f.readFully(crcAt, stored, 0, 4, "the block table");
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    f.checksum(h.blockTableOffset(), h.blockTableSize() - 4, crc, "the block table", -1);
    int expected = java.nio.ByteBuffer.wrap(stored).getInt();
    if ((int) crc.getValue() != expected) {
      throw new CorruptionException(f.name(), h.blockTableOffset(),
          String.format("block table checksum mismatch: stored %08x, computed %08x", expected,
              (int) crc.getValue()));
    }
  }
}
