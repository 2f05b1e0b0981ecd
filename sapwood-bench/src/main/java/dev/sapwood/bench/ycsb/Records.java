package dev.sapwood.bench.ycsb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;

/**
 * A YCSB record (field name to bytes) as one value: {@code count u16, then per field in the
 * unsigned byte order of its UTF-8 name: nameLen u16, name UTF-8, valueLen u32, value}. {@link
 * #merge} overlays some fields on a stored record — what a YCSB update means — by one pass over
 * the two sorted field lists, without decoding either.
 */
final class Records {
  private Records() {}

  static byte[] encode(Map<String, byte[]> fields) {
    TreeMap<byte[], byte[]> sorted = new TreeMap<>(Arrays::compareUnsigned);
    int size = 2;
    for (Map.Entry<String, byte[]> e : fields.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      sorted.put(name, e.getValue());
      size += 2 + name.length + 4 + e.getValue().length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putShort((short) sorted.size());
    for (Map.Entry<byte[], byte[]> e : sorted.entrySet()) {
      b.putShort((short) e.getKey().length).put(e.getKey()).putInt(e.getValue().length).put(e.getValue());
    }
    return b.array();
  }

  /** Field names as UTF-8, by name: YCSB uses the same few names for every record. */
  private static final ConcurrentHashMap<String, byte[]> NAMES = new ConcurrentHashMap<>();

  /**
   * {@link #encode}'s record of YCSB's field map, each value read from its iterator straight into
   * the record (no array per field, no sorted map, no second copy): the fields are put in name
   * order by an insertion sort of their few names. Consumes the iterators.
   */
  static byte[] encodeFields(Map<String, ByteIterator> fields) {
    int n = fields.size();
    byte[][] names = new byte[n][];
    ByteIterator[] values = new ByteIterator[n];
    long size = 2;
    int k = 0;
    for (Map.Entry<String, ByteIterator> e : fields.entrySet()) {
      byte[] name = NAMES.computeIfAbsent(e.getKey(), f -> f.getBytes(StandardCharsets.UTF_8));
      ByteIterator v = e.getValue();
      size += 2 + name.length + 4 + v.bytesLeft();
      int i = k++;
      for (; i > 0 && Arrays.compareUnsigned(names[i - 1], name) > 0; i--) {
        names[i] = names[i - 1];
        values[i] = values[i - 1];
      }
      names[i] = name;
      values[i] = v;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a record of " + size + " bytes");
    }
    byte[] out = new byte[(int) size];
    putShort(out, 0, n);
    int at = 2;
    for (int i = 0; i < n; i++) {
      byte[] name = names[i];
      putShort(out, at, name.length);
      System.arraycopy(name, 0, out, at + 2, name.length);
      at += 2 + name.length;
      int len = (int) values[i].bytesLeft();
      out[at] = (byte) (len >>> 24);
      out[at + 1] = (byte) (len >>> 16);
      out[at + 2] = (byte) (len >>> 8);
      out[at + 3] = (byte) len;
      at += 4;
      // nextBuf may write past the field (YCSB's random iterator fills in steps of six) but never
      // past the array: what follows is written after it, so only the last field's end is exact.
      int end = at + len;
      while (at < end) {
        int next = values[i].nextBuf(out, at);
        if (next <= at) {
          throw new IllegalStateException("field " + new String(name, StandardCharsets.UTF_8) + " ended early");
        }
        at = Math.min(next, end);
      }
    }
    return out;
  }

  private static void putShort(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
  }

  /** The fields of a record; only those in {@code wanted} unless it is null. */
  static TreeMap<String, byte[]> decode(byte[] record, Set<String> wanted) {
    TreeMap<String, byte[]> out = new TreeMap<>();
    ByteBuffer b = ByteBuffer.wrap(record);
    int n = b.getShort() & 0xFFFF;
    for (int i = 0; i < n; i++) {
      byte[] name = new byte[b.getShort() & 0xFFFF];
      b.get(name);
      byte[] v = new byte[b.getInt()];
      b.get(v);
      String f = new String(name, StandardCharsets.UTF_8);
      if (wanted == null || wanted.contains(f)) {
        out.put(f, v);
      }
    }
    return out;
  }

  /**
   * Puts the fields of a record (only those in {@code wanted} unless it is null) into {@code
   * result}, each value a view of {@code record}'s bytes — what YCSB's own RocksDB binding does
   * when it deserializes a value, and what both bindings here do for reads and scans.
   */
  static void decodeInto(byte[] record, Set<String> wanted, Map<String, ByteIterator> result) {
    int n = check(record);
    int at = 2;
    for (int i = 0; i < n; i++) {
      int nameLen = ((record[at] & 0xFF) << 8) | (record[at + 1] & 0xFF);
      String f = new String(record, at + 2, nameLen, StandardCharsets.UTF_8);
      at += 2 + nameLen;
      int len = (int) u32(record, at);
      at += 4;
      if (wanted == null || wanted.contains(f)) {
        result.put(f, new ByteArrayByteIterator(record, at, len));
      }
      at += len;
    }
  }

  /**
   * The number of fields of a well-formed record, allocating nothing; throws
   * IllegalArgumentException if the bytes are not a record of {@link #encode}'s layout.
   */
  static int check(byte[] record) {
    if (record.length < 2) {
      throw new IllegalArgumentException("record of " + record.length + " bytes");
    }
    int n = ((record[0] & 0xFF) << 8) | (record[1] & 0xFF);
    long at = 2;
    for (int i = 0; i < n; i++) {
      if (at + 2 > record.length) {
        throw new IllegalArgumentException("field " + i + " name length past the end");
      }
      at += 2 + (((record[(int) at] & 0xFF) << 8) | (record[(int) at + 1] & 0xFF));
      if (at + 4 > record.length) {
        throw new IllegalArgumentException("field " + i + " value length past the end");
      }
      long len = u32(record, (int) at);
      at += 4 + len;
      if (at > record.length) {
        throw new IllegalArgumentException("field " + i + " value past the end");
      }
    }
    if (at != record.length) {
      throw new IllegalArgumentException((record.length - at) + " bytes after the last field");
    }
    return n;
  }

  private static long u32(byte[] b, int at) {
    return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }

  /** The stored record with the update's fields replacing or adding to its own. */
  static byte[] merge(byte[] old, byte[] update) {
    if (old == null) {
      return update;
    }
    ByteBuffer o = ByteBuffer.wrap(old);
    ByteBuffer u = ByteBuffer.wrap(update);
    int leftOld = o.getShort() & 0xFFFF;
    int leftUpdate = u.getShort() & 0xFFFF;
    ByteBuffer out = ByteBuffer.allocate(old.length + update.length);
    out.position(2);
    int count = 0;
    while (leftOld > 0 || leftUpdate > 0) {
      int c = leftOld == 0 ? 1 : leftUpdate == 0 ? -1 : compareNames(old, o.position(), update, u.position());
      if (c <= 0) {
        int len = fieldLength(o);
        if (c < 0) {
          out.put(old, o.position(), len);
        }
        o.position(o.position() + len);
        leftOld--;
      }
      if (c >= 0) {
        int len = fieldLength(u);
        out.put(update, u.position(), len);
        u.position(u.position() + len);
        leftUpdate--;
      }
      count++;
    }
    out.putShort(0, (short) count);
    return Arrays.copyOf(out.array(), out.position());
  }

  /** Bytes of the field starting at {@code b}'s position: name length, name, value length, value. */
  private static int fieldLength(ByteBuffer b) {
    int at = b.position();
    int nameLen = b.getShort(at) & 0xFFFF;
    return 2 + nameLen + 4 + b.getInt(at + 2 + nameLen);
  }

  private static int compareNames(byte[] a, int aField, byte[] b, int bField) {
    int aLen = ((a[aField] & 0xFF) << 8) | (a[aField + 1] & 0xFF);
    int bLen = ((b[bField] & 0xFF) << 8) | (b[bField + 1] & 0xFF);
    return Arrays.compareUnsigned(a, aField + 2, aField + 2 + aLen, b, bField + 2, bField + 2 + bLen);
  }
}
