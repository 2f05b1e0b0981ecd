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
import java.util.concurrent.ConcurrentLinkedQueue;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.Meta;
import org.lmdbjava.Txn;

/**
 * LMDB under measurement, through lmdbjava. LMDB has no cache of its own: it reads and writes a
 * memory map, so its memory is the operating system's page cache, which the cache size does not
 * bound in-process. One write transaction per write (LMDB has a single writer); updaterandom is a
 * read-modify-write inside that transaction. Durability NONE and ASYNC both open the environment
 * with MDB_NOSYNC (a commit does not fsync; a killed process loses nothing, a power loss may),
 * SYNC without it.
 */
public final class LmdbEngine implements BenchEngine {
  public static final EngineFactory FACTORY = new EngineFactory() {
    @Override
    public String name() {
      return "lmdb";
    }

    @Override
    public BenchEngine open(Path dir, EngineSettings s) {
      return new LmdbEngine(dir, s);
    }
  };

  private final Env<ByteBuffer> env;
  private final Dbi<ByteBuffer> data;
  private final Dbi<ByteBuffer> counters;
  private final ConcurrentLinkedQueue<Txn<ByteBuffer>> readTxns = new ConcurrentLinkedQueue<>();
  private final ThreadLocal<ByteBuffer[]> buffers;
  private final String describe;

  private LmdbEngine(Path dir, EngineSettings s) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    long perKey = s.keySize() + s.valueSize() + 64L;
    long mapSize = Math.max(1L << 30, s.expectedKeys() * perKey * 4);
    EnvFlags[] flags = s.durability() == Durability.SYNC
        ? new EnvFlags[] {EnvFlags.MDB_NOTLS}
        : new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC};
    env = Env.create().setMapSize(mapSize).setMaxDbs(4).setMaxReaders(256).open(dir.toFile(), flags);
    data = env.openDbi("data", DbiFlags.MDB_CREATE);
    counters = env.openDbi("counters", DbiFlags.MDB_CREATE);
    int keyCap = Math.max(64, s.keySize());
    int valCap = Math.max(64, s.valueSize());
    buffers = ThreadLocal.withInitial(() -> new ByteBuffer[] {
        ByteBuffer.allocateDirect(keyCap), ByteBuffer.allocateDirect(valCap)});
    describe = "mapSize=" + mapSize + " flags=" + java.util.Arrays.toString(flags)
        + " (no cache of its own: the OS page cache, not limited in-process), one write txn per"
        + " write, no compression";
  }

  @Override
  public String name() {
    return "lmdb";
  }

  @Override
  public String version() {
    Meta.Version v = Meta.version();
    return "lmdbjava " + dev.sapwood.bench.SapwoodEngine.mavenVersion(Env.class, "org.lmdbjava", "lmdbjava")
        + " / LMDB "
        + v.major + "." + v.minor + "." + v.patch;
  }

  @Override
  public String describe() {
    return describe;
  }

  @Override
  public String updateMethod() {
    return "read-modify-write in one write txn";
  }

  private ByteBuffer keyBuf(byte[] k) {
    ByteBuffer[] b = buffers.get();
    if (b[0].capacity() < k.length) {
      b[0] = ByteBuffer.allocateDirect(k.length);
    }
    b[0].clear();
    b[0].put(k).flip();
    return b[0];
  }

  private ByteBuffer valBuf(byte[] v) {
    ByteBuffer[] b = buffers.get();
    if (b[1].capacity() < v.length) {
      b[1] = ByteBuffer.allocateDirect(v.length);
    }
    b[1].clear();
    b[1].put(v).flip();
    return b[1];
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Override
  public void put(byte[] k, byte[] v) {
    try (Txn<ByteBuffer> t = env.txnWrite()) {
      data.put(t, keyBuf(k), valBuf(v));
      t.commit();
    }
  }

  private Txn<ByteBuffer> readTxn() {
    Txn<ByteBuffer> t = readTxns.poll();
    if (t == null) {
      return env.txnRead();
    }
    t.renew();
    return t;
  }

  private void release(Txn<ByteBuffer> t) {
    t.reset();
    readTxns.add(t);
  }

  @Override
  public byte[] get(byte[] k) {
    Txn<ByteBuffer> t = readTxn();
    try {
      ByteBuffer v = data.get(t, keyBuf(k));
      return v == null ? null : bytes(v);
    } finally {
      release(t);
    }
  }

  @Override
  public void delete(byte[] k) {
    try (Txn<ByteBuffer> t = env.txnWrite()) {
      data.delete(t, keyBuf(k));
      t.commit();
    }
  }

  @Override
  public void add(byte[] k, long delta) {
    try (Txn<ByteBuffer> t = env.txnWrite()) {
      ByteBuffer kb = keyBuf(k);
      ByteBuffer old = counters.get(t, kb);
      long v = old == null ? 0 : old.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN).getLong();
      ByteBuffer nb = buffers.get()[1];
      nb.clear();
      nb.putLong(v + delta).flip();
      counters.put(t, kb, nb);
      t.commit();
    }
  }

  @Override
  public long counter(byte[] k) {
    Txn<ByteBuffer> t = readTxn();
    try {
      ByteBuffer v = counters.get(t, keyBuf(k));
      return v == null ? 0 : v.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN).getLong();
    } finally {
      release(t);
    }
  }

  @Override
  public BenchCursor cursor() {
    Txn<ByteBuffer> t = env.txnRead();
    Cursor<ByteBuffer> c = data.openCursor(t);
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
      public boolean seek(byte[] k) {
        // A read transaction sees one snapshot; renew it so each seek sees the latest writes.
        t.reset();
        t.renew();
        c.renew(t);
        return c.get(keyBuf(k), GetOp.MDB_SET_RANGE);
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
        return bytes(c.key());
      }

      @Override
      public byte[] value() {
        return bytes(c.val());
      }

      @Override
      public void close() {
        c.close();
        t.close();
      }
    };
  }

  @Override
  public void settle() {
    env.sync(true);
  }

  @Override
  public void close() {
    Txn<ByteBuffer> t;
    while ((t = readTxns.poll()) != null) {
      t.close();
    }
    env.sync(true);
    env.close();
  }
}
