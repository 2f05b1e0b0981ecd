package dev.sapwood.internal.engine;

import dev.sapwood.CorruptionException;
import dev.sapwood.Limits;
import dev.sapwood.internal.tree.MessageType;
import dev.sapwood.internal.tree.RangeUpdates;
import dev.sapwood.internal.util.BoundedReader;
import dev.sapwood.internal.util.Utf8;
import dev.sapwood.internal.util.Varint;
import dev.sapwood.internal.wal.PayloadReader;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The payloads of write-ahead log records (docs/format/log.md). On disk — never renumber.
 *
 * <pre>
 * Payload    := BATCH count varint, Op{count} | CREATE_TREE treeId varint, nameLength varint, name
 *             | DROP_TREE treeId varint
 * Op         := type u8 (MessageType: 1 put, 2 delete, 3 update, 4 delete range,
 *               5 update range), treeId varint,
 *               keyLength varint, key, valueLength varint, value, [fnLength u8, fn]   (update and update range only; an update
 *               range's value is its end and argument as tree.RangeUpdates encodes them)
 * </pre>
 *
 * Varints are unsigned LEB128 ({@link Varint}); a single put of a 16-byte key and a 100-byte value
 * to tree 1 spends 6 payload bytes on framing (kind, count, type, tree, two lengths).
 */
final class LogRecords {
  static final byte BATCH = 1;
  static final byte CREATE_TREE = 2;
  static final byte DROP_TREE = 3;
  /** The smallest op: type, tree id, key length, value length. */
  private static final int MIN_OP = 1 + 1 + 1 + 1;

  private LogRecords() {}

  /** Receives the decoded contents of a record. */
  interface Visitor {
    void op(byte type, int treeId, byte[] key, byte[] value, byte[] fn);

    void createTree(int treeId, String name);

    void dropTree(int treeId);
  }

  /** The BATCH payload of one change, built with one exact-size array. */
  static byte[] single(byte type, int treeId, byte[] key, byte[] value, byte[] fn) {
    byte[] b = new byte[singleSize(treeId, key, value, fn)];
    putSingle(b, type, treeId, key, value, fn);
    return b;
  }

  /** The size of {@link #single}'s payload. */
  static int singleSize(int treeId, byte[] key, byte[] value, byte[] fn) {
    return 1 + 1 + 1 + Varint.size(treeId) + Varint.size(key.length) + key.length
        + Varint.size(value.length) + value.length + (fn != null ? 1 + fn.length : 0);
  }

  /**
   * Encodes {@link #single}'s payload at {@code b[0..singleSize)} (the single-write path, into a
   * writer's reused scratch array); returns its size.
   */
  static int putSingle(byte[] b, byte type, int treeId, byte[] key, byte[] value, byte[] fn) {
    b[0] = BATCH;
    b[1] = 1;
    b[2] = type;
    int at = Varint.put(b, 3, treeId);
    at = Varint.put(b, at, key.length);
    System.arraycopy(key, 0, b, at, key.length);
    at = Varint.put(b, at + key.length, value.length);
    System.arraycopy(value, 0, b, at, value.length);
    at += value.length;
    if (fn != null) {
      b[at] = (byte) fn.length;
      System.arraycopy(fn, 0, b, at + 1, fn.length);
      at += 1 + fn.length;
    }
    return at;
  }

  /** Builds a BATCH payload. Not thread-safe. */
  static final class BatchBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private final byte[] scratch = new byte[Varint.MAX_INT_BYTES];
    private int count;

    BatchBuilder() {}

    BatchBuilder add(byte type, int treeId, byte[] key, byte[] value, byte[] fn) {
      out.write(type);
      varint(treeId);
      varint(key.length);
      out.write(key, 0, key.length);
      varint(value.length);
      out.write(value, 0, value.length);
      if (fn != null) {
        out.write(fn.length);
        out.write(fn, 0, fn.length);
      }
      count++;
      return this;
    }

    int count() {
      return count;
    }

    byte[] build() {
      byte[] ops = out.toByteArray();
      byte[] b = new byte[1 + Varint.size(count) + ops.length];
      b[0] = BATCH;
      int at = Varint.put(b, 1, count);
      System.arraycopy(ops, 0, b, at, ops.length);
      return b;
    }

    private void varint(int v) {
      out.write(scratch, 0, Varint.put(scratch, 0, v));
    }
  }

  static byte[] createTree(int treeId, String name) {
    byte[] n = TreeNames.encode(name);
    byte[] b = new byte[1 + Varint.size(treeId) + Varint.size(n.length) + n.length];
    b[0] = CREATE_TREE;
    int at = Varint.put(b, 1, treeId);
    at = Varint.put(b, at, n.length);
    System.arraycopy(n, 0, b, at, n.length);
    return b;
  }

  static byte[] dropTree(int treeId) {
    byte[] b = new byte[1 + Varint.size(treeId)];
    b[0] = DROP_TREE;
    Varint.put(b, 1, treeId);
    return b;
  }

  /** Decodes a payload held in memory; a malformed one is a {@link CorruptionException} naming the LSN. */
  static void decode(byte[] p, long lsn, Visitor v) {
    decode(PayloadReader.of(p), lsn, v);
  }

  /**
   * Decodes a payload; a malformed one is a {@link CorruptionException} naming the segment, the
   * record's offset and its LSN. Every length is checked against the limits and what is left
   * before anything is allocated by it.
   */
  static void decode(PayloadReader r, long lsn, Visitor v) {
    try {
      int kind = r.u8("record kind");
      switch (kind) {
        case BATCH -> {
          int count = r.varLength("op count", r.remaining() / MIN_OP);
          if (count == 0) {
            throw r.error("empty batch");
          }
          for (int i = 0; i < count; i++) {
            byte type = (byte) r.u8("op type");
            if (!MessageType.isValid(type)) {
              throw r.error("unknown op type " + type);
            }
            int tree = r.varLength("tree id", Integer.MAX_VALUE);
            byte[] key = r.bytes(r.varLength("key length", Limits.MAX_KEY_SIZE), "key");
            int max = switch (type) {
              case MessageType.DELETE -> 0;
              case MessageType.DELETE_RANGE -> Limits.MAX_KEY_SIZE;
              case MessageType.UPDATE_RANGE -> RangeUpdates.MAX_VALUE;
              default -> Limits.MAX_VALUE_SIZE;
            };
            byte[] value = r.bytes(r.varLength(type == MessageType.DELETE_RANGE ? "end key length" : "value length", max), "value");
            if (type == MessageType.DELETE_RANGE && Arrays.compareUnsigned(key, value) >= 0) {
              throw r.error("empty key range");
            }
            if (type == MessageType.UPDATE_RANGE) {
              String wrong = RangeUpdates.check(key, value);
              if (wrong != null) {
                throw r.error(wrong);
              }
            }
            byte[] fn = null;
            if (MessageType.hasFunction(type)) {
              int n = r.u8("function name length");
              if (n == 0) {
                throw r.error("empty function name");
              }
              fn = r.bytes(n, "function name");
              if (Utf8.decode(fn) == null) {
                throw r.error("function name is not UTF-8");
              }
            }
            v.op(type, tree, key, value, fn);
          }
        }
        case CREATE_TREE -> {
          int tree = r.varLength("tree id", Integer.MAX_VALUE);
          int at = r.position();
          byte[] name = r.bytes(r.varLength("name length", 0xFFFF), "name");
          try {
            v.createTree(tree, TreeNames.decode(name));
          } catch (IllegalArgumentException e) {
            throw new BoundedReader.FormatException(at, e.getMessage());
          }
        }
        case DROP_TREE -> v.dropTree(r.varLength("tree id", Integer.MAX_VALUE));
        default -> throw r.error("unknown record kind " + kind);
      }
      if (r.remaining() != 0) {
        throw r.error(r.remaining() + " stray bytes");
      }
    } catch (BoundedReader.FormatException e) {
      throw new CorruptionException(r.file(), r.recordOffset(),
          "log record LSN " + lsn + ", payload byte " + e.position() + ": " + e.getMessage());
    }
  }

}
