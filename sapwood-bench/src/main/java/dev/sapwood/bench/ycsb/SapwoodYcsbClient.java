package dev.sapwood.bench.ycsb;

import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Durability;
import dev.sapwood.Options;
import dev.sapwood.Tree;
import dev.sapwood.bench.Sizes;
import dev.sapwood.bench.StatsSampler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Vector;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * YCSB binding for Sapwood. A YCSB {@code update} is a blind update message carrying the changed
 * fields, merged into the record by {@link FieldMergeFunction} when it reaches the record — no
 * read first. One database per process, shared by the client threads; each YCSB table is a tree.
 *
 * <p>Properties: {@code sapwood.dir} (default ./ycsb-sapwood), {@code sapwood.cache_size} (default
 * 256M), {@code sapwood.durability} (NONE, ASYNC, SYNC; default ASYNC), {@code
 * sapwood.offheap_share} ({@link Options#offHeapCacheShare}; default the engine's), {@code
 * sapwood.log_compression} ({@link Options#logCompression}; default the engine's). The engine's
 * counters are sampled into a file when {@code -Dsapwood.bench.statsFile} names one ({@link
 * StatsSampler}; its last line is taken at the close).
 */
public final class SapwoodYcsbClient extends DB {
  private static final Object LOCK = new Object();
  private static Database db;
  private static int users;
  private static StatsSampler sampler;
  private String lastTable;
  private Tree lastTree;

  @Override
  public void init() throws DBException {
    synchronized (LOCK) {
      if (db == null) {
        try {
          Options o = Options.defaults().register(FieldMergeFunction.INSTANCE)
              .cacheSize(Sizes.bytes(getProperties().getProperty("sapwood.cache_size", "256M")))
              .durability(Durability.valueOf(getProperties().getProperty("sapwood.durability", "ASYNC")
                  .toUpperCase(Locale.ROOT)));
          String share = getProperties().getProperty("sapwood.offheap_share");
          if (share != null) {
            o = o.offHeapCacheShare(Double.parseDouble(share));
          }
          String logCompression = getProperties().getProperty("sapwood.log_compression");
          if (logCompression != null) {
            o = o.logCompression(Boolean.parseBoolean(logCompression));
          }
          db = Database.open(Path.of(getProperties().getProperty("sapwood.dir", "ycsb-sapwood")), o);
          sampler = StatsSampler.fromProperties(db);
        } catch (RuntimeException e) {
          throw new DBException("opening Sapwood", e);
        }
      }
      users++;
    }
  }

  @Override
  public void cleanup() throws DBException {
    synchronized (LOCK) {
      if (--users == 0) {
        if (sampler != null) {
          sampler.close();
          sampler = null;
        }
        db.close();
        db = null;
      }
    }
  }

  /**
   * The tree of {@code table}: this client's (one per YCSB thread) last one, looked up again only
   * when the table changes, as an application keeps its {@link Tree} handles (a lookup by name
   * takes the database's gate and checks the name).
   */
  private Tree tree(String table) {
    if (!table.equals(lastTable)) {
      lastTree = db.tree(table);
      lastTable = table;
    }
    return lastTree;
  }

  private static byte[] key(String k) {
    return k.getBytes(StandardCharsets.UTF_8);
  }

  static void fill(byte[] record, Set<String> fields, Map<String, ByteIterator> result) {
    Records.decodeInto(record, fields, result);
  }

  @Override
  public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    byte[] v = tree(table).get(key(key));
    if (v == null) {
      return Status.NOT_FOUND;
    }
    fill(v, fields, result);
    return Status.OK;
  }

  @Override
  public Status scan(String table, String startkey, int recordcount, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    try (Cursor c = tree(table).cursor()) {
      boolean ok = c.seek(key(startkey));
      for (int i = 0; ok && i < recordcount; i++) {
        HashMap<String, ByteIterator> r = new HashMap<>();
        fill(c.value(), fields, r);
        result.add(r);
        ok = c.next();
      }
    }
    return Status.OK;
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    tree(table).update(key(key), FieldMergeFunction.INSTANCE, Records.encodeFields(values));
    return Status.OK;
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    tree(table).put(key(key), Records.encodeFields(values));
    return Status.OK;
  }

  @Override
  public Status delete(String table, String key) {
    tree(table).delete(key(key));
    return Status.OK;
  }
}
