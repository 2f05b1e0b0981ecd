package dev.sapwood.internal.store;

import dev.sapwood.SapwoodException;
import dev.sapwood.internal.fuzz.Fuzz;
import dev.sapwood.internal.io.MemoryFileIo;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the block file's decoders ({@link Fuzz}): a header slot alone ({@link HeaderEncoding}), and
 * whole small files — header slots, block table, blocks — opened ({@link BlockFileLoader}, {@link
 * BlockTableEncoding}) and read block by block. Mutated inputs are resealed (header and table CRCs)
 * most of the time, so the damage reaches the checks behind the checksums.
 */
class BlockFileFuzzTest {
  private static final Path PATH = Path.of("/fuzz/sapwood.db");

  /** Small files: a few blocks of assorted sizes, one to three checkpoints, some blocks freed. */
  static List<byte[]> files() {
    List<byte[]> out = new ArrayList<>();
    Random r = new Random(7);
    for (int k = 0; k < 4; k++) {
      MemoryFileIo io = new MemoryFileIo();
      try (BlockFile f = BlockFile.create(io, PATH, new Header.Settings(16384, 4096, 4, (byte) (k % 3)))) {
        List<Long> blocks = new ArrayList<>();
        for (int c = 0; c <= k % 3; c++) {
          for (int i = 0; i < 2 + k; i++) {
            long b = f.allocateBlockNumber();
            byte[] data = new byte[r.nextInt(k == 3 ? 9000 : 300)];
            r.nextBytes(data);
            f.writeBlock(b, data, 0, data.length);
            blocks.add(b);
          }
          if (c == 1) {
            f.freeBlockNumber(blocks.remove(0));
          }
          f.checkpoint(blocks.get(0), 10 + c, 100 * c);
        }
      }
      out.add(io.contents(PATH));
    }
    return out;
  }

  private static final Fuzz.Target WHOLE_FILE = new Fuzz.Target() {
    @Override
    public void decode(byte[] input) {
      MemoryFileIo io = new MemoryFileIo();
      io.setContents(PATH, input);
      try (BlockFile f = BlockFile.open(io, PATH)) {
        long next = f.header().nextBlockNumber();
        for (long b = 1; b < Math.min(next, 64); b++) {
          if (f.isMapped(b)) {
            f.readBlock(b);
          }
        }
      }
    }

    @Override
    public byte[] reseal(byte[] b, Random r) {
      if (r.nextInt(4) == 0) {
        return b;
      }
      for (int s = 0; s < 2; s++) {
        int at = s * BlockFileFormat.HEADER_SLOT_SIZE;
        if (b.length >= at + BlockFileFormat.HEADER_SLOT_SIZE) {
          ByteBuffer bb = ByteBuffer.wrap(b);
          long tableAt = bb.getLong(at + BlockFileFormat.H_TABLE_OFFSET);
          int tableSize = bb.getInt(at + BlockFileFormat.H_TABLE_SIZE);
          if (r.nextBoolean() && tableAt > 0 && tableSize >= 4 && tableAt + tableSize <= b.length) {
            Fuzz.sealAt(b, (int) tableAt, (int) tableAt + tableSize - 4);
          }
          Fuzz.sealAt(b, at, at + BlockFileFormat.H_CRC);
        }
      }
      return b;
    }

    @Override
    public boolean allowed(Throwable t) {
      return isVersionRefusal(t);
    }
  };

  private static final Fuzz.Target SLOT = new Fuzz.Target() {
    @Override
    public void decode(byte[] input) {
      HeaderEncoding.decode(input, input.length, "fuzz", 0);
    }

    @Override
    public byte[] reseal(byte[] b, Random r) {
      if (r.nextInt(4) != 0) {
        Fuzz.sealAt(b, 0, BlockFileFormat.H_CRC);
      }
      return b;
    }

    @Override
    public boolean allowed(Throwable t) {
      return isVersionRefusal(t);
    }
  };

  /** A verified slot of another format version is refused with a SapwoodException, by contract. */
  private static boolean isVersionRefusal(Throwable t) {
    return t.getClass() == SapwoodException.class && String.valueOf(t.getMessage()).contains("format version");
  }

  private static List<byte[]> slots() {
    List<byte[]> out = new ArrayList<>();
    for (byte[] f : files()) {
      out.add(java.util.Arrays.copyOf(f, BlockFileFormat.HEADER_SLOT_SIZE));
    }
    return out;
  }

  @Test
  void mutatedHeaderSlotsDecodeOrAreCorruption() {
    Fuzz.run("header slot", slots(), SLOT, Fuzz.iterations(3000));
  }

  @Test
  void mutatedBlockFilesOpenOrAreCorruption() {
    Fuzz.run("block file (header, block table, blocks)", files(), WHOLE_FILE, Fuzz.iterations(1500));
  }

  @Test
  @Tag("stress")
  void mutatedHeaderSlotsStress() {
    Fuzz.run("header slot", slots(), SLOT, Fuzz.iterations(500_000));
  }

  @Test
  @Tag("stress")
  void mutatedBlockFilesStress() {
    Fuzz.run("block file (header, block table, blocks)", files(), WHOLE_FILE, Fuzz.iterations(500_000));
  }
}
