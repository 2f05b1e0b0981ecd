package dev.sapwood.bench.ycsb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A YCSB record (field name to bytes) as one value: {@code count u16, then per field in name
 * order: nameLen u16, name UTF-8, valueLen u32, value}. {@link #merge} overlays some fields on a
 * stored record — what a YCSB update means.
 */
final class Records {
  private Records() {}

  static byte[] encode(Map<String, byte[]> fields) {
    TreeMap<String, byte[]> sorted = new TreeMap<>(fields);
    int size = 2;
    for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
      size += 2 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4 + e.getValue().length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putShort((short) sorted.size());
    for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      b.putShort((short) name.length).put(name).putInt(e.getValue().length).put(e.getValue());
    }
    return b.array();
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

  /** The stored record with the update's fields replacing or adding to its own. */
  static byte[] merge(byte[] old, byte[] update) {
    if (old == null) {
      return update;
    }
    TreeMap<String, byte[]> m = decode(old, null);
    m.putAll(decode(update, null));
    return encode(m);
  }
}
