package dev.sapwood.bench.ycsb;

import dev.sapwood.bench.Sizes;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.Vector;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * YCSB binding for RocksDB, done as YCSB's own RocksDB binding does it: an update reads the
 * record, merges the fields and puts it back. Same record encoding as the Sapwood binding; one
 * database per process; tables share the default column family under a "table/" key prefix.
 *
 * <p>Properties: {@code rocksdb.dir} (default ./ycsb-rocksdb), {@code rocksdb.cache_size} (block
 * cache, memtables charged to it; default 256M), {@code rocksdb.sync} (default false; WAL on).
 */
public final class RocksDbYcsbClient extends DB {
  private static final Object LOCK = new Object();
  private static RocksDB db;
  private static Options options;
  private static WriteOptions writeOptions;
  private static int users;

  @Override
  public void init() throws DBException {
    synchronized (LOCK) {
      if (db == null) {
        RocksDB.loadLibrary();
        long cache = Sizes.bytes(getProperties().getProperty("rocksdb.cache_size", "256M"));
        LRUCache c = new LRUCache(cache);
        options = new Options().setCreateIfMissing(true)
            .setWriteBufferManager(new WriteBufferManager(cache / 2, c))
            .setWriteBufferSize(Math.min(64L << 20, cache / 4)).setMaxBackgroundJobs(2)
            .setCompressionType(CompressionType.LZ4_COMPRESSION)
            .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(c)
                .setCacheIndexAndFilterBlocks(true).setFilterPolicy(new BloomFilter(10)));
        writeOptions = new WriteOptions().setSync(
            Boolean.parseBoolean(getProperties().getProperty("rocksdb.sync", "false")));
        try {
          db = RocksDB.open(options, getProperties().getProperty("rocksdb.dir", "ycsb-rocksdb"));
        } catch (RocksDBException e) {
          throw new DBException("opening RocksDB", e);
        }
      }
      users++;
    }
  }

  @Override
  public void cleanup() throws DBException {
    synchronized (LOCK) {
      if (--users == 0) {
        db.close();
        db = null;
        writeOptions.close();
        options.close();
      }
    }
  }

  private static byte[] key(String table, String k) {
    return (table + "/" + k).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      byte[] v = db.get(key(table, key));
      if (v == null) {
        return Status.NOT_FOUND;
      }
      SapwoodYcsbClient.fill(v, fields, result);
      return Status.OK;
    } catch (RocksDBException e) {
      return Status.ERROR;
    }
  }

  @Override
  public Status scan(String table, String startkey, int recordcount, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    byte[] prefix = (table + "/").getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = db.newIterator()) {
      it.seek(key(table, startkey));
      for (int i = 0; it.isValid() && i < recordcount; i++) {
        byte[] k = it.key();
        if (k.length < prefix.length
            || !java.util.Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
          break;
        }
        HashMap<String, ByteIterator> r = new HashMap<>();
        SapwoodYcsbClient.fill(it.value(), fields, r);
        result.add(r);
        it.next();
      }
    }
    return Status.OK;
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    try {
      byte[] k = key(table, key);
      byte[] old = db.get(k);
      if (old == null) {
        return Status.NOT_FOUND;
      }
      db.put(writeOptions, k, Records.merge(old, Records.encodeFields(values)));
      return Status.OK;
    } catch (RocksDBException e) {
      return Status.ERROR;
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      db.put(writeOptions, key(table, key), Records.encodeFields(values));
      return Status.OK;
    } catch (RocksDBException e) {
      return Status.ERROR;
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      db.delete(writeOptions, key(table, key));
      return Status.OK;
    } catch (RocksDBException e) {
      return Status.ERROR;
    }
  }
}
