package dev.sapwood.internal.engine;

import dev.sapwood.CorruptionException;
import dev.sapwood.Limits;
import dev.sapwood.internal.store.BlockFile;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.BoundedReader;
import dev.sapwood.internal.util.Checksums;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.zip.CRC32C;

/**
 * The database's table of contents, stored in one block: each tree's name and root block number,
 * and the names of user update functions that messages in the trees may still name (checked on
 * open, so a database is never opened without a function its data needs).
 *
 * <pre>
 * Catalog := magic u32 ("SWCT"), treeCount u32, Tree{treeCount}, nextTreeId u32,
 *            fnCount u32, Fn{fnCount}, [TreeState{treeCount}], crc u32
 * TreeState := rowCount i64, optimizing u8 (0 no, 1 yes), [keyLength u16, key]  (optimizing only)
 *            (in Tree order: the logical row count, and where an unfinished optimize resumes;
 *            absent in format 3 catalogs)
 * Tree    := nameLength u16, name (well-formed UTF-8, 1..255 bytes: TreeNames), treeId u32, rootBlock u64
 * Fn      := nameLength u8, name (UTF-8)
 * </pre>
 *
 * <p>Tree ids name trees in the write-ahead log; they are never reused within a database.
 *
 * <p>Not thread-safe: guarded by the database's lock.
 */
final class Catalog {
  static final int MAGIC = 0x53574354;
  /** The smallest catalog: magic, treeCount, nextTreeId, fnCount, crc. */
  static final int MIN_SIZE = 20;

  /** A tree's log id and root block. */
  record Entry(int id, long root) {}

  /** The largest tree id, so that the next id after it still fits (ids are 1..MAX_TREE_ID). */
  static final int MAX_TREE_ID = Integer.MAX_VALUE - 1;

  /** The rule for tree ids, in the catalog and in the log. */
  static boolean isValidTreeId(int id) {
    return id >= 1 && id <= MAX_TREE_ID;
  }

  final Map<String, Entry> trees = new TreeMap<>();
  final Set<String> functions = new ConcurrentSkipListSet<>();
  /** Logical row counts by tree name, as of the checkpoint that writes or wrote this catalog. */
  final Map<String, Long> rows = new TreeMap<>();
  /** Where each unfinished optimize resumes, by tree name (changed under the lock's shared side). */
  final Map<String, byte[]> optimizing = new java.util.concurrent.ConcurrentHashMap<>();
  int nextTreeId = 1;

  /**
   * @throws IllegalStateException if no id is left for a new tree: checked before a tree is created
   *     (a refusal that changes nothing; {@link #add} past it is a broken invariant)
   */
  void checkIdLeft() {
    if (!isValidTreeId(nextTreeId)) {
      throw new IllegalStateException("no tree ids left (" + nextTreeId + ")");
    }
  }

  /** Adds a tree under a new id; returns the id. REQUIRES: {@link #checkIdLeft} passed. */
  int add(String name, long root) {
    checkIdLeft();
    int id = nextTreeId++;
    trees.put(name, new Entry(id, root));
    return id;
  }

  byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] b8 = new byte[8];
    BigEndian.putInt(b8, 0, MAGIC);
    BigEndian.putInt(b8, 4, trees.size());
    out.write(b8, 0, 8);
    for (Map.Entry<String, Entry> e : trees.entrySet()) {
      byte[] name = TreeNames.encode(e.getKey());
      BigEndian.putU16(b8, 0, name.length);
      out.write(b8, 0, 2);
      out.write(name, 0, name.length);
      BigEndian.putInt(b8, 0, e.getValue().id());
      out.write(b8, 0, 4);
      BigEndian.putLong(b8, 0, e.getValue().root());
      out.write(b8, 0, 8);
    }
    BigEndian.putInt(b8, 0, nextTreeId);
    out.write(b8, 0, 4);
    BigEndian.putInt(b8, 0, functions.size());
    out.write(b8, 0, 4);
    for (String f : functions) {
      byte[] name = f.getBytes(StandardCharsets.UTF_8);
      out.write(name.length);
      out.write(name, 0, name.length);
    }
    for (String tree : trees.keySet()) {
      BigEndian.putLong(b8, 0, rows.getOrDefault(tree, 0L));
      out.write(b8, 0, 8);
      byte[] resume = optimizing.get(tree);
      out.write(resume == null ? 0 : 1);
      if (resume != null) {
        BigEndian.putU16(b8, 0, resume.length);
        out.write(b8, 0, 2);
        out.write(resume, 0, resume.length);
      }
    }
    byte[] body = out.toByteArray();
    byte[] all = new byte[body.length + 4];
    System.arraycopy(body, 0, all, 0, body.length);
    BigEndian.putInt(all, body.length, Checksums.crc32c(body, 0, body.length));
    return all;
  }

  /** The next tree name, checked by {@link TreeNames#decode}: a bad one is a format error. */
  private static String treeName(BoundedReader r) {
    int at = r.position();
    byte[] bytes = r.bytes(r.u16("tree name length"), "tree name");
    try {
      return TreeNames.decode(bytes);
    } catch (IllegalArgumentException e) {
      throw new BoundedReader.FormatException(at, e.getMessage());
    }
  }

  /**
   * Reads and decodes the catalog in {@code block}. The block's CRC32C is verified by streaming it
   * through a small buffer before the block is read whole, so a damaged block size allocates
   * nothing; the catalog's root blocks must be distinct from each other and from the catalog's own
   * block.
   *
   * @throws CorruptionException naming the file and offset if the block is unmapped or damaged
   */
  static Catalog read(BlockFile file, long block) {
    int size = file.storedBlockSize(block, "the header's catalog pointer");
    long offset = file.blockOffset(block);
    if (size < MIN_SIZE) {
      throw new CorruptionException(file.name(), offset, "catalog block of " + size + " bytes");
    }
    byte[] stored = new byte[4];
    file.readBlock(block, size - 4, stored, 0, 4);
    if (file.checksumBlock(block, 0, size - 4, new CRC32C()) != BigEndian.getInt(stored, 0)) {
      throw new CorruptionException(file.name(), offset, "catalog block checksum mismatch");
    }
    Catalog c = decode(file.readBlock(block), file.name(), offset);
    for (Map.Entry<String, Entry> e : c.trees.entrySet()) {
      if (e.getValue().root() == block) {
        throw new CorruptionException(file.name(), offset,
            "catalog: tree '" + e.getKey() + "' has the catalog's own block " + block + " as its root");
      }
    }
    return c;
  }

  static Catalog decode(byte[] b, String file, long offset) {
    if (b.length < MIN_SIZE || Checksums.crc32c(b, 0, b.length - 4) != BigEndian.getInt(b, b.length - 4)) {
      throw new CorruptionException(file, offset, "catalog block checksum mismatch");
    }
    BoundedReader r = new BoundedReader(b, 0, b.length - 4);
    try {
      if (r.i32("catalog magic") != MAGIC) {
        throw r.error("bad catalog magic");
      }
      Catalog c = new Catalog();
      int trees = r.length("tree count", r.remaining() / 14);
      java.util.Set<Integer> ids = new java.util.HashSet<>();
      java.util.Set<Long> roots = new java.util.HashSet<>();
      for (int i = 0; i < trees; i++) {
        String name = treeName(r);
        int id = r.i32("tree id");
        long root = r.i64("root block");
        if (!isValidTreeId(id) || root <= 0 || !ids.add(id) || c.trees.put(name, new Entry(id, root)) != null) {
          throw r.error("bad entry for tree '" + name + "'");
        }
        if (!roots.add(root)) {
          throw r.error("tree '" + name + "' shares root block " + root + " with another tree");
        }
      }
      c.nextTreeId = r.i32("next tree id");
      for (int id : ids) {
        if (id >= c.nextTreeId) {
          throw r.error("tree id " + id + " not below the next id " + c.nextTreeId);
        }
      }
      int fns = r.length("function count", r.remaining());
      for (int i = 0; i < fns; i++) {
        c.functions.add(new String(r.bytes(r.u8("function name length"), "function name"), StandardCharsets.UTF_8));
      }
      if (r.remaining() > 0) {
        for (String tree : c.trees.keySet()) {
          long n = r.i64("row count");
          if (n < 0) {
            throw r.error("negative row count " + n + " for tree '" + tree + "'");
          }
          c.rows.put(tree, n);
          int state = r.u8("optimize state");
          if (state > 1) {
            throw r.error("optimize state " + state + " for tree '" + tree + "'");
          }
          if (state == 1) {
            int klen = r.u16("optimize key length");
            if (klen > Limits.MAX_KEY_SIZE) {
              throw r.error("optimize key of " + klen + " bytes for tree '" + tree + "'");
            }
            c.optimizing.put(tree, r.bytes(klen, "optimize key"));
          }
        }
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
