package dev.sapwood.internal.engine;

import dev.sapwood.CorruptionException;
import dev.sapwood.internal.store.Checksums;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.BoundedReader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The database's table of contents, stored in one block: each tree's name and root block number,
 * and the names of user update functions that messages in the trees may still name (checked on
 * open, so a database is never opened without a function its data needs).
 *
 * <pre>
 * Catalog := magic u32 ("SWCT"), treeCount u32, Tree{treeCount}, fnCount u32, Fn{fnCount}, crc u32
 * Tree    := nameLength u16, name (UTF-8), rootBlock u64
 * Fn      := nameLength u8, name (UTF-8)
 * </pre>
 *
 * <p>Not thread-safe: guarded by the database's lock.
 */
final class Catalog {
  static final int MAGIC = 0x53574354;

  final Map<String, Long> roots = new TreeMap<>();
  final Set<String> functions = new ConcurrentSkipListSet<>();

  byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] b8 = new byte[8];
    BigEndian.putInt(b8, 0, MAGIC);
    BigEndian.putInt(b8, 4, roots.size());
    out.write(b8, 0, 8);
    for (Map.Entry<String, Long> e : roots.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      BigEndian.putU16(b8, 0, name.length);
      out.write(b8, 0, 2);
      out.write(name, 0, name.length);
      BigEndian.putLong(b8, 0, e.getValue());
      out.write(b8, 0, 8);
    }
    BigEndian.putInt(b8, 0, functions.size());
    out.write(b8, 0, 4);
    for (String f : functions) {
      byte[] name = f.getBytes(StandardCharsets.UTF_8);
      out.write(name.length);
      out.write(name, 0, name.length);
    }
    byte[] body = out.toByteArray();
    byte[] all = new byte[body.length + 4];
    System.arraycopy(body, 0, all, 0, body.length);
    BigEndian.putInt(all, body.length, Checksums.crc32c(body, 0, body.length));
    return all;
  }

  static Catalog decode(byte[] b, String file, long offset) {
    if (b.length < 16 || Checksums.crc32c(b, 0, b.length - 4) != BigEndian.getInt(b, b.length - 4)) {
      throw new CorruptionException(file, offset, "catalog block checksum mismatch");
    }
    BoundedReader r = new BoundedReader(b, 0, b.length - 4);
    try {
      if (r.i32("catalog magic") != MAGIC) {
        throw r.error("bad catalog magic");
      }
      Catalog c = new Catalog();
      int trees = r.length("tree count", r.remaining() / 10);
      for (int i = 0; i < trees; i++) {
        String name = new String(r.bytes(r.u16("tree name length"), "tree name"), StandardCharsets.UTF_8);
        long root = r.i64("root block");
        if (root <= 0 || c.roots.put(name, root) != null) {
          throw r.error("bad entry for tree '" + name + "'");
        }
      }
      int fns = r.length("function count", r.remaining());
      for (int i = 0; i < fns; i++) {
        c.functions.add(new String(r.bytes(r.u8("function name length"), "function name"), StandardCharsets.UTF_8));
      }
      if (r.remaining() != 0) {
        throw r.error("stray bytes after the catalog");
      }
      return c;
    } catch (BoundedReader.FormatException e) {
      throw new CorruptionException(file, offset + e.position(), "catalog: " + e.getMessage());
    }
  }
}
