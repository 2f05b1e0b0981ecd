package dev.sapwood.bench.peers;

import dev.sapwood.Durability;
import dev.sapwood.bench.BenchCursor;
import dev.sapwood.bench.BenchEngine;
import dev.sapwood.bench.EngineFactory;
import dev.sapwood.bench.EngineSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.UInt64AddOperator;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * RocksDB under measurement. Memory budget: one LRU block cache of the cache size, with index and
 * filter blocks cached in it and the memtables charged to it by a {@link WriteBufferManager}, so
 * block cache + memtables = the cache size. Column family "default" holds the data, "counters"
 * the counters with the built-in uint64add merge operator (8-byte little-endian values, as that
 * operator reads them). Compaction threads run in this process; their I/O is the process's.
 */
public final class RocksDbEngine implements BenchEngine {
  public static final EngineFactory FACTORY = new EngineFactory() {
    @Override
    public String name() {
      return "rocksdb";
    }

    @Override
    public BenchEngine open(Path dir, EngineSettings s) {
      return new RocksDbEngine(dir, s);
    }
  };

  static {
    RocksDB.loadLibrary();
  }

  private final List<AutoCloseable> owned = new ArrayList<>();
  private final RocksDB db;
  private final ColumnFamilyHandle data;
  private final ColumnFamilyHandle counters;
  private final WriteOptions writeOptions;
  private final ReadOptions readOptions;
  private final String describe;

  private RocksDbEngine(Path dir, EngineSettings s) {
    try {
      java.nio.file.Files.createDirectories(dir);
      Cache cache = own(new LRUCache(s.cacheSize()));
      long writeBuffer = Math.max(1L << 20, Math.min(64L << 20, s.cacheSize() / 4));
      WriteBufferManager wbm = own(new WriteBufferManager(s.cacheSize() / 2, cache));
      int jobs = Math.max(2, Runtime.getRuntime().availableProcessors());
      DBOptions dbo = own(new DBOptions().setCreateIfMissing(true)
          .setCreateMissingColumnFamilies(true).setWriteBufferManager(wbm)
          .setMaxBackgroundJobs(jobs).setBytesPerSync(1 << 20));
      CompressionType ct = switch (s.compression()) {
        case NONE -> CompressionType.NO_COMPRESSION;
        case LZ4 -> CompressionType.LZ4_COMPRESSION;
        case ZSTD -> CompressionType.ZSTD_COMPRESSION;
      };
      ColumnFamilyOptions dataOpts = own(cfOptions(cache, writeBuffer, ct));
      ColumnFamilyOptions counterOpts = own(cfOptions(cache, writeBuffer, ct)
          .setMergeOperator(own(new UInt64AddOperator())));
      List<ColumnFamilyDescriptor> cfs = List.of(
          new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, dataOpts),
          new ColumnFamilyDescriptor("counters".getBytes(StandardCharsets.UTF_8), counterOpts));
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      db = RocksDB.open(dbo, dir.toString(), cfs, handles);
      data = handles.get(0);
      counters = handles.get(1);
      writeOptions = own(new WriteOptions().setSync(s.durability() == Durability.SYNC)
          .setDisableWAL(s.durability() == Durability.NONE));
      readOptions = own(new ReadOptions());
      describe = "blockCache=" + s.cacheSize() + " (LRU; index+filter blocks in it; memtables charged"
          + " to it via WriteBufferManager, limit " + s.cacheSize() / 2 + ") writeBufferSize="
          + writeBuffer + " maxWriteBufferNumber=2 compression=" + ct
          + " bloom=10 bits/key blockSize=4KiB level compaction (dynamic level bytes)"
          + " maxBackgroundJobs=" + jobs + " bytesPerSync=1MiB WAL="
          + (s.durability() == Durability.NONE ? "off" : "on, sync=" + (s.durability() == Durability.SYNC));
    } catch (RocksDBException | java.io.IOException e) {
      closeOwned();
      throw new IllegalStateException("opening RocksDB in " + dir, e);
    }
  }

  private ColumnFamilyOptions cfOptions(Cache cache, long writeBuffer, CompressionType ct) {
    BlockBasedTableConfig t = new BlockBasedTableConfig().setBlockCache(cache)
        .setCacheIndexAndFilterBlocks(true).setPinL0FilterAndIndexBlocksInCache(true)
        .setFilterPolicy(own(new BloomFilter(10))).setBlockSize(4096);
    return new ColumnFamilyOptions().setWriteBufferSize(writeBuffer).setMaxWriteBufferNumber(2)
        .setCompressionType(ct).setBottommostCompressionType(ct)
        .setLevelCompactionDynamicLevelBytes(true).setTableFormatConfig(t);
  }

  private <T extends AutoCloseable> T own(T t) {
    owned.add(t);
    return t;
  }

  @Override
  public String name() {
    return "rocksdb";
  }

  @Override
  public String version() {
    return "rocksdbjni " + RocksDB.rocksdbVersion();
  }

  @Override
  public String describe() {
    return describe;
  }

  @Override
  public String updateMethod() {
    return "merge uint64add";
  }

  @Override
  public void put(byte[] key, byte[] value) {
    try {
      db.put(data, writeOptions, key, value);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public byte[] get(byte[] key) {
    try {
      return db.get(data, readOptions, key);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void delete(byte[] key) {
    try {
      db.delete(data, writeOptions, key);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void add(byte[] key, long delta) {
    try {
      db.merge(counters, writeOptions, key, littleEndian(delta));
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public long counter(byte[] key) {
    try {
      byte[] v = db.get(counters, readOptions, key);
      if (v == null) {
        return 0;
      }
      long x = 0;
      for (int i = 7; i >= 0; i--) {
        x = (x << 8) | (v[i] & 0xFF);
      }
      return x;
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] littleEndian(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  @Override
  public BenchCursor cursor() {
    RocksIterator it = db.newIterator(data);
    return new BenchCursor() {
      @Override
      public boolean first() {
        it.seekToFirst();
        return it.isValid();
      }

      @Override
      public boolean last() {
        it.seekToLast();
        return it.isValid();
      }

      @Override
      public boolean seek(byte[] key) {
        it.seek(key);
        return it.isValid();
      }

      @Override
      public boolean next() {
        it.next();
        return it.isValid();
      }

      @Override
      public boolean prev() {
        it.prev();
        return it.isValid();
      }

      @Override
      public byte[] key() {
        return it.key();
      }

      @Override
      public byte[] value() {
        return it.value();
      }

      @Override
      public void close() {
        it.close();
      }
    };
  }

  /** Flushes the memtables and waits until no flush or compaction is running or pending. */
  @Override
  public void settle() {
    try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
      db.flush(fo, List.of(data, counters));
      while (true) {
        long busy = 0;
        for (ColumnFamilyHandle h : List.of(data, counters)) {
          busy += db.getLongProperty(h, "rocksdb.num-running-compactions")
              + db.getLongProperty(h, "rocksdb.compaction-pending")
              + db.getLongProperty(h, "rocksdb.num-running-flushes");
        }
        if (busy == 0) {
          return;
        }
        Thread.sleep(50);
      }
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    data.close();
    counters.close();
    db.close();
    closeOwned();
  }

  private void closeOwned() {
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException("closing RocksDB options", e);
      }
    }
    owned.clear();
  }
}
