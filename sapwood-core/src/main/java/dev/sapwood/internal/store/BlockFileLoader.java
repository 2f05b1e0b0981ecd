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
 * HeaderSelector}), its block table, verified ({@link BlockTableCodec}), and the free space and
 * free block numbers rebuilt from that table (everything not referenced is free). The
 * allocator's end is the end of the highest extent the table uses; whatever the file holds past
 * it (blocks written after that checkpoint) is free and cut by the next checkpoint.
 *
 * <p>The table's size comes from the header and is checked against the file size before the
 * buffer for it is allocated.
 */
final class BlockFileLoader {
  /** What {@link #load} found. */
  record Loaded(StickyFile file, Header header, BlockTable table, BlockNumberPool numbers,
      SpaceAllocator space) {}

  private BlockFileLoader() {}

  /** {@link BlockFile#create}: writes the empty table and both header slots, fsynced. */
  static Loaded create(FileIo io, Path path, Header.Settings settings) {
    Objects.requireNonNull(settings, "settings");
    StickyFile f = new StickyFile(openFile(io, path));
    try {
      if (f.size() > 0) {
        throw new IllegalStateException(path + ": cannot create a block file, file is not empty");
      }
      byte[] tableBytes = BlockTableCodec.encode(0, new BlockTable().sorted());
      long now = System.currentTimeMillis();
      Header h = new Header(FormatVersion.CURRENT, 0, 0, 0, 0, settings.nodeSize(),
          settings.basementSize(), settings.fanout(), settings.compression(), now, now,
          DATA_START, tableBytes.length, 1);
      f.write(DATA_START, tableBytes, 0, tableBytes.length);
      f.force();
      byte[] slot = HeaderCodec.encode(h);
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
    if (!io.exists(path)) {
      throw new StorageException(path + ": no such block file",
          new NoSuchFileException(path.toString()));
    }
    StickyFile f = new StickyFile(openFile(io, path));
    try {
      return load(f);
    } catch (RuntimeException e) {
      closeQuietly(f, e);
      throw e;
    }
  }

  /** {@link BlockFile#headerSlotsEmpty}. */
  static boolean headerSlotsEmpty(FileIo io, Path path) {
    try (IoFile f = io.open(path)) {
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
    byte[] bytes = new byte[h.blockTableSize()];
    f.readFully(h.blockTableOffset(), bytes, 0, bytes.length, "the block table");
    BlockTable table = new BlockTable(BlockTableCodec.decode(bytes, f.name(), h, fileSize));
    List<long[]> used = table.extents();
    used.add(new long[] {h.blockTableOffset(), extentLength(h.blockTableSize())});
    SpaceAllocator space = SpaceAllocator.rebuild(DATA_START, used.toArray(new long[0][]));
    BlockNumberPool numbers =
        BlockNumberPool.rebuild(h.nextBlockNumber(), table.sorted().keySet());
    return new Loaded(f, h, table, numbers, space);
  }

  private static IoFile openFile(FileIo io, Path path) {
    try {
      return io.open(path);
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
}
