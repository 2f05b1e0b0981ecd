package dev.sapwood.bench.peers;

import dev.sapwood.Durability;
import dev.sapwood.bench.BenchCursor;
import dev.sapwood.bench.BenchEngine;
import dev.sapwood.bench.EngineFactory;
import dev.sapwood.bench.EngineSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.h2.engine.Constants;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ByteArrayDataType;

/**
 * H2's MVStore under measurement: map "data" (byte[] keys compared unsigned, byte[] values) and map
 * "counters" (updated by read-modify-write, {@code merge}). Page cache = the cache size. MVStore
 * has no write-ahead log: its background auto-commit writes changes within about a second
 * (NONE/ASYNC); SYNC commits and syncs after every write.
 */
public final class H2Engine implements BenchEngine {
  public static final EngineFactory FACTORY = new EngineFactory() {
    @Override
    public String name() {
      return "h2";
    }

    @Override
    public BenchEngine open(Path dir, EngineSettings s) {
      return new H2Engine(dir, s);
    }
  };

  /** byte[] keys in unsigned lexicographic order, stored as varint length + bytes. */
  static final class UnsignedBytes extends BasicDataType<byte[]> {
    static final UnsignedBytes INSTANCE = new UnsignedBytes();

    @Override
    public int getMemory(byte[] k) {
      return 24 + k.length;
    }

    @Override
    public void write(WriteBuffer buff, byte[] k) {
      buff.putVarInt(k.length).put(k);
    }

    @Override
    public byte[] read(ByteBuffer buff) {
      byte[] k = new byte[DataUtils.readVarInt(buff)];
      buff.get(k);
      return k;
    }

    @Override
    public byte[][] createStorage(int size) {
      return new byte[size][];
    }

    @Override
    public int compare(byte[] a, byte[] b) {
      return Arrays.compareUnsigned(a, b);
    }
  }

  private final MVStore store;
  private final MVMap<byte[], byte[]> data;
  private final MVMap<byte[], byte[]> counters;
  private final boolean syncEach;
  private final String describe;

  private H2Engine(Path dir, EngineSettings s) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    int cacheMb = (int) Math.max(1, s.cacheSize() >> 20);
    MVStore.Builder b = new MVStore.Builder().fileName(dir.resolve("store.mv.db").toString())
        .cacheSize(cacheMb);
    String comp = switch (s.compression()) {
      case NONE -> "none";
      case LZ4 -> {
        b.compress();
        yield "LZF (compress)";
      }
      case ZSTD -> {
        b.compressHigh();
        yield "Deflate (compressHigh)";
      }
    };
    store = b.open();
    data = store.openMap("data", new MVMap.Builder<byte[], byte[]>()
        .keyType(UnsignedBytes.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    counters = store.openMap("counters", new MVMap.Builder<byte[], byte[]>()
        .keyType(UnsignedBytes.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
    syncEach = s.durability() == Durability.SYNC;
    describe = "cacheSize=" + cacheMb + "MiB compression=" + comp + " autoCommitDelay="
        + store.getAutoCommitDelay() + "ms" + (syncEach ? " commit+sync per write" : "");
  }

  @Override
  public String name() {
    return "h2";
  }

  @Override
  public String version() {
    return "h2 " + Constants.FULL_VERSION;
  }

  @Override
  public String describe() {
    return describe;
  }

  @Override
  public String updateMethod() {
    return "read-modify-write (MVMap.merge)";
  }

  private void durable() {
    if (syncEach) {
      store.commit();
      store.sync();
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    data.put(key.clone(), value.clone());
    durable();
  }

  @Override
  public byte[] get(byte[] key) {
    byte[] v = data.get(key);
    return v == null ? null : v.clone();
  }

  @Override
  public void delete(byte[] key) {
    data.remove(key);
    durable();
  }

  @Override
  public void add(byte[] key, long delta) {
    counters.merge(key.clone(), dev.sapwood.UpdateFunctions.fromLong(delta),
        (o, d) -> dev.sapwood.UpdateFunctions.fromLong(
            dev.sapwood.UpdateFunctions.toLong(o) + dev.sapwood.UpdateFunctions.toLong(d)));
    durable();
  }

  @Override
  public long counter(byte[] key) {
    byte[] v = counters.get(key);
    return v == null ? 0 : dev.sapwood.UpdateFunctions.toLong(v);
  }

  @Override
  public BenchCursor cursor() {
    return new BenchCursor() {
      private Cursor<byte[], byte[]> c;
      private boolean reverse;
      private byte[] key;
      private byte[] value;

      private boolean start(byte[] from, boolean rev, boolean skipFrom) {
        c = data.cursor(from, null, rev);
        reverse = rev;
        if (!c.hasNext()) {
          return invalid();
        }
        c.next();
        if (skipFrom && from != null && Arrays.equals(c.getKey(), from)) {
          if (!c.hasNext()) {
            return invalid();
          }
          c.next();
        }
        return take();
      }

      private boolean take() {
        key = c.getKey().clone();
        value = c.getValue().clone();
        return true;
      }

      private boolean invalid() {
        key = null;
        value = null;
        return false;
      }

      @Override
      public boolean first() {
        return start(null, false, false);
      }

      @Override
      public boolean last() {
        return start(null, true, false);
      }

      @Override
      public boolean seek(byte[] k) {
        return start(k, false, false);
      }

      private boolean step(boolean rev) {
        if (key == null) {
          return false;
        }
        if (rev != reverse) {
          return start(key, rev, true);
        }
        if (!c.hasNext()) {
          return invalid();
        }
        c.next();
        return take();
      }

      @Override
      public boolean next() {
        return step(false);
      }

      @Override
      public boolean prev() {
        return step(true);
      }

      @Override
      public byte[] key() {
        return key.clone();
      }

      @Override
      public byte[] value() {
        return value.clone();
      }

      @Override
      public void close() {
        c = null;
      }
    };
  }

  @Override
  public void settle() {
    store.commit();
    store.sync();
  }

  @Override
  public void close() {
    store.close();
  }
}
