package dev.sapwood.bench;

import dev.sapwood.ConflictException;
import dev.sapwood.Cursor;
import dev.sapwood.Database;
import dev.sapwood.Options;
import dev.sapwood.Snapshot;
import dev.sapwood.Transaction;
import dev.sapwood.Tree;
import dev.sapwood.UpdateFunctions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Sapwood under measurement: tree "data" and tree "counters"; updaterandom is a blind {@link
 * UpdateFunctions#ADD_LONG} update (no read); settle is a checkpoint, then a wait while
 * the engine has free space to give back once writes stop ({@code space.reclaim_pending}). Transactions are SNAPSHOT
 * transactions ({@code db.begin()}) committed with the database's durability; txnupdate's updates
 * are blind {@code tx.update(counters, key, ADD_LONG, +1)}; snapshots are {@code db.snapshot()}.
 */
public final class SapwoodEngine implements BenchEngine {
  /** The factory. */
  public static final EngineFactory FACTORY = new EngineFactory() {
    @Override
    public String name() {
      return "sapwood";
    }

    @Override
    public BenchEngine open(Path dir, EngineSettings s) {
      return new SapwoodEngine(dir, s);
    }
  };

  private final Database db;
  private final Tree data;
  private final Tree counters;
  private final Options options;
  private final StatsSampler sampler;

  private SapwoodEngine(Path dir, EngineSettings s) {
    // The benchmark's cache size is the engine's caches unless the child was given a budget's
    // caches (PeerBench's "bounded": the budget holds the heap's room too).
    long cacheBytes = Long.getLong("sapwood.bench.cacheBytes", s.cacheSize());
    Options o = Options.defaults().cacheSize(cacheBytes).durability(s.durability())
        .compression(s.compression());
    if (s.nodeSize() > 0) {
      // Unless given, the basement size follows the node size, keeping the default's ratio.
      int ratio = Options.defaults().nodeSize() / Options.defaults().basementSize();
      o = o.nodeSize(s.nodeSize())
          .basementSize(Math.max(Options.MIN_BASEMENT_SIZE, s.nodeSize() / ratio));
    }
    if (s.basementSize() > 0) {
      o = o.basementSize(s.basementSize());
    }
    // For comparing builds' settings in one harness (e.g. peers.sh --child-java-opts
    // "-Dsapwood.bench.leafDeltaRatio=0"); the engine itself reads no system property.
    String ratio = System.getProperty("sapwood.bench.leafDeltaRatio");
    if (ratio != null) {
      o = o.leafDeltaRatio(Double.parseDouble(ratio));
    }
    if ("false".equals(System.getProperty("sapwood.bench.logCompression"))) {
      o = o.logCompression(false);
    }
    String share = System.getProperty("sapwood.bench.offHeapCacheShare");
    if (share != null) {
      o = o.offHeapCacheShare(Double.parseDouble(share));
    }
    String checkpointMs = System.getProperty("sapwood.bench.checkpointIntervalMs");
    if (checkpointMs != null) {
      o = o.checkpointInterval(java.time.Duration.ofMillis(Long.parseLong(checkpointMs)));
    }
    options = o;
    db = Database.open(dir, o);
    data = db.tree("data");
    counters = db.tree("counters");
    sampler = StatsSampler.fromProperties(db);
  }

  /** The open database, for callers that want its stats. */
  public Database database() {
    return db;
  }

  @Override
  public String name() {
    return "sapwood";
  }

  @Override
  public String version() {
    return sapwoodVersion();
  }

  /** Sapwood's version from its jar's Maven metadata, or "dev" when run from classes. */
  public static String sapwoodVersion() {
    return mavenVersion(Database.class, "dev.sapwood", "sapwood-core");
  }

  /** A library's version from the pom.properties in the jar that holds {@code c}, or "dev". */
  public static String mavenVersion(Class<?> c, String group, String artifact) {
    try (InputStream in = c.getResourceAsStream(
        "/META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "dev");
      }
    } catch (IOException e) {
      return "dev";
    }
    return "dev";
  }

  @Override
  public String describe() {
    return "cacheSize=" + options.cacheSize() + " nodeSize=" + options.nodeSize() + " basementSize="
        + options.basementSize() + " fanout=" + options.fanout() + " compression="
        + options.compression() + " durability=" + options.durability() + " syncInterval="
        + options.syncInterval().toMillis() + "ms checkpointInterval="
        + options.checkpointInterval().toSeconds() + "s leafDeltaRatio=" + options.leafDeltaRatio()
        + " offHeapCacheShare=" + options.offHeapCacheShare() + " logCompression=" + options.logCompression();
  }

  @Override
  public String updateMethod() {
    return "blind update ADD_LONG";
  }

  @Override
  public void put(byte[] key, byte[] value) {
    data.put(key, value);
  }

  @Override
  public byte[] get(byte[] key) {
    return data.get(key);
  }

  @Override
  public void delete(byte[] key) {
    data.delete(key);
  }

  @Override
  public void add(byte[] key, long delta) {
    counters.update(key, UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(delta));
  }

  @Override
  public long counter(byte[] key) {
    byte[] v = counters.get(key);
    return v == null ? 0 : UpdateFunctions.toLong(v);
  }

  @Override
  public BenchCursor cursor() {
    Cursor c = data.cursor();
    return new BenchCursor() {
      @Override
      public boolean first() {
        return c.first();
      }

      @Override
      public boolean last() {
        return c.last();
      }

      @Override
      public boolean seek(byte[] key) {
        return c.seek(key);
      }

      @Override
      public boolean next() {
        return c.next();
      }

      @Override
      public boolean prev() {
        return c.prev();
      }

      @Override
      public byte[] key() {
        return c.key();
      }

      @Override
      public byte[] value() {
        return c.value();
      }

      @Override
      public void close() {
        c.close();
      }
    };
  }

  /** {@link dev.sapwood.Tree#bulkLoader()} into the data tree, which must be empty (run fillbulk first). */
  @Override
  public SortedLoad sortedLoad() {
    dev.sapwood.BulkLoader loader = data.bulkLoader();
    return new SortedLoad() {
      @Override
      public void add(byte[] key, byte[] value) {
        loader.add(key, value);
      }

      @Override
      public void finish() {
        try (loader) {
          loader.finish();
        }
      }
    };
  }

  @Override
  public String txnMethod() {
    return "SNAPSHOT transactions: get+put, blind tx.update ADD_LONG";
  }

  @Override
  public BenchTxn begin() {
    Transaction tx = db.begin();
    return new BenchTxn() {
      @Override
      public long getLong(byte[] key) {
        byte[] v = tx.get(counters, key);
        return v == null ? 0 : UpdateFunctions.toLong(v);
      }

      @Override
      public void putLong(byte[] key, long value) {
        tx.put(counters, key, UpdateFunctions.fromLong(value));
      }

      @Override
      public void add(byte[] key, long delta) {
        tx.update(counters, key, UpdateFunctions.ADD_LONG, UpdateFunctions.fromLong(delta));
      }

      @Override
      public void commit() {
        try {
          tx.commit();
        } catch (ConflictException e) {
          throw new BenchConflict(e.getMessage());
        }
      }

      @Override
      public void close() {
        tx.close();
      }
    };
  }

  @Override
  public BenchSnapshot snapshot() {
    Snapshot s = db.snapshot();
    return new BenchSnapshot() {
      @Override
      public byte[] get(byte[] key) {
        return s.get(data, key);
      }

      @Override
      public void close() {
        s.close();
      }
    };
  }

  @Override
  public void settle() {
    db.checkpoint();
    // As RocksDB's settle waits for its pending compactions: wait while the engine's own
    // background work has space to give back once writes stop (space.reclaim_pending).
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(30);
    try {
      do {
        Thread.sleep(300); // longer than a tick of the checkpoint thread, which sets the figure
      } while (db.stats().get("space.reclaim_pending") > 0 && System.nanoTime() < deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (sampler != null) {
      sampler.close();
    }
    db.close();
  }
}
