package dev.sapwood.bench.peers;

import dev.sapwood.Durability;
import dev.sapwood.bench.BenchCursor;
import dev.sapwood.bench.BenchEngine;
import dev.sapwood.bench.BenchSnapshot;
import dev.sapwood.bench.BenchTxn;
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
import org.rocksdb.OptimisticTransactionDB;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.TransactionDB;
import org.rocksdb.TransactionDBOptions;
import org.rocksdb.UInt64AddOperator;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * RocksDB under measurement. Memory budget: one LRU block cache of the cache size, with index and
 * filter blocks cached in it and the memtables charged to it by a {@link WriteBufferManager}, so
 * block cache + memtables = the cache size. Column family "default" holds the data, "counters"
 * the counters with the built-in uint64add merge operator (8-byte little-endian values, as that
 * operator reads them). Compaction threads run in this process; their I/O is the process's.
 *
 * <p>Three flavours, one engine name each: "rocksdb" (a plain {@code RocksDB}, no transactions),
 * "rocksdb-optimistic" ({@link OptimisticTransactionDB}) and "rocksdb-pessimistic" ({@link
 * TransactionDB}); the transactional ones run txntransfer and txnupdate through {@link RocksTxns},
 * and their single operations go straight to the database as the plain one's do. Snapshots
 * (readsnapshot) are {@code getSnapshot} read through {@code ReadOptions.setSnapshot}.
 */
public final class RocksDbEngine implements BenchEngine {
  public static final EngineFactory FACTORY = factory(Mode.PLAIN);
  /** {@link OptimisticTransactionDB}. */
  public static final EngineFactory OPTIMISTIC_FACTORY = factory(Mode.OPTIMISTIC);
  /** {@link TransactionDB} (pessimistic, locking). */
  public static final EngineFactory PESSIMISTIC_FACTORY = factory(Mode.PESSIMISTIC);

  /** Which database class is opened. */
  enum Mode {
    PLAIN("rocksdb"), OPTIMISTIC("rocksdb-optimistic"), PESSIMISTIC("rocksdb-pessimistic");

    final String engineName;

    Mode(String engineName) {
      this.engineName = engineName;
    }
  }

  private static EngineFactory factory(Mode mode) {
    return new EngineFactory() {
      @Override
      public String name() {
        return mode.engineName;
      }

      @Override
      public BenchEngine open(Path dir, EngineSettings s) {
        return new RocksDbEngine(dir, s, mode);
      }
    };
  }

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
  private final Mode mode;
  private final RocksTxns txns;

  private RocksDbEngine(Path dir, EngineSettings s, Mode mode) {
    this.mode = mode;
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
      db = switch (mode) {
        case PLAIN -> RocksDB.open(dbo, dir.toString(), cfs, handles);
        case OPTIMISTIC -> OptimisticTransactionDB.open(dbo, dir.toString(), cfs, handles);
        case PESSIMISTIC -> TransactionDB.open(dbo, own(new TransactionDBOptions()), dir.toString(),
            cfs, handles);
      };
      data = handles.get(0);
      counters = handles.get(1);
      writeOptions = own(new WriteOptions().setSync(s.durability() == Durability.SYNC)
          .setDisableWAL(s.durability() == Durability.NONE));
      txns = mode == Mode.PLAIN ? null
          : new RocksTxns(db instanceof OptimisticTransactionDB o ? o : null,
              db instanceof TransactionDB t ? t : null, counters, writeOptions);
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
    return mode.engineName;
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
      return v == null ? 0 : fromLittleEndian(v);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The number of an 8-byte little-endian counter value. */
  static long fromLittleEndian(byte[] v) {
    long x = 0;
    for (int i = 7; i >= 0; i--) {
      x = (x << 8) | (v[i] & 0xFF);
    }
    return x;
  }

  /** {@code v} as 8 bytes little-endian, as uint64add reads it. */
  static byte[] littleEndian(long v) {
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

  @Override
  public String txnMethod() {
    return txns == null ? null : txns.method();
  }

  @Override
  public BenchTxn begin() {
    if (txns == null) {
      return BenchEngine.super.begin();
    }
    return txns.begin();
  }

  @Override
  public BenchSnapshot snapshot() {
    Snapshot snap = db.getSnapshot();
    ReadOptions ro = new ReadOptions().setSnapshot(snap);
    return new BenchSnapshot() {
      @Override
      public byte[] get(byte[] key) {
        try {
          return db.get(data, ro, key);
        } catch (RocksDBException e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public void close() {
        ro.close();
        db.releaseSnapshot(snap);
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
    if (txns != null) {
      txns.close();
    }
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
