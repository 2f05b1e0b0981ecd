package dev.sapwood.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sapwood.CorruptionException;
import dev.sapwood.Cursor;
import dev.sapwood.Tree;
import dev.sapwood.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.query.Position;

/**
 * The layout of a store's {@code meta} tree, which sits beside its {@code data} tree in the same
 * database so that one {@link WriteBatch} covers both:
 * <pre>
 *   'o' topic 0x00 partition(int32 BE)  ->  offset(int64 BE)    changelog offset committed (KIP-1035)
 *   'p' topic 0x00 partition(int32 BE)  ->  offset(int64 BE)    IQv2 position of the committed data
 *   'f'                                 ->  UTF-8 format name   PLAIN, TIMESTAMPED or HEADERS
 * </pre>
 * Kafka topic names are ASCII letters, digits, '.', '_' and '-', so 0x00 ends the topic. Offsets
 * are stored as Kafka Streams gives them, sentinels (such as -4, "unknown") included.
 *
 * <p>Stateless; thread-safe.
 */
final class StoreMeta {
  private static final byte OFFSET = 'o';
  private static final byte POSITION = 'p';
  private static final byte[] FORMAT_KEY = {'f'};

  private StoreMeta() {}

  static byte[] offsetKey(TopicPartition tp) {
    return key(OFFSET, tp.topic(), tp.partition());
  }

  static void putOffsets(WriteBatch b, Tree meta, Map<TopicPartition, Long> offsets) {
    for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
      if (e.getValue() != null) {
        b.put(meta, offsetKey(e.getKey()), longBytes(e.getValue()));
      }
    }
  }

  static void putPosition(WriteBatch b, Tree meta, Position position) {
    for (String topic : position.getTopics()) {
      for (Map.Entry<Integer, Long> e : position.getPartitionPositions(topic).entrySet()) {
        b.put(meta, key(POSITION, topic, e.getKey()), longBytes(e.getValue()));
      }
    }
  }

  static Map<TopicPartition, Long> readOffsets(Tree meta, String where) {
    Map<TopicPartition, Long> out = new HashMap<>();
    scan(meta, OFFSET, where, (topic, partition, value) -> out.put(new TopicPartition(topic, partition), value));
    return out;
  }

  static Position readPosition(Tree meta, String where) {
    Map<String, Map<Integer, Long>> out = new HashMap<>();
    scan(meta, POSITION, where, (topic, partition, value) ->
        out.computeIfAbsent(topic, t -> new HashMap<>()).put(partition, value));
    return Position.fromMap(out);
  }

  static String readFormat(Tree meta) {
    byte[] v = meta.get(FORMAT_KEY);
    return v == null ? null : new String(v, UTF_8);
  }

  static void writeFormat(Tree meta, String format) {
    meta.put(FORMAT_KEY, format.getBytes(UTF_8));
  }

  /**
   * Records {@code format} in a new store's meta tree, or checks that an existing store holds it.
   *
   * @throws ProcessorStateException if the store in {@code dir} holds another format's values
   */
  static void checkFormat(Tree meta, StoreFormat format, String name, Path dir) {
    String stored = readFormat(meta);
    if (stored == null) {
      writeFormat(meta, format.name());
    } else if (!stored.equals(format.name())) {
      throw new ProcessorStateException("store " + name + " in " + dir + " holds " + stored
          + " values but is opened as " + format + ": reset the application's local state to rebuild it");
    }
  }

  private interface Entry {
    void accept(String topic, int partition, long value);
  }

  private static void scan(Tree meta, byte kind, String where, Entry sink) {
    try (Cursor c = meta.cursor()) {
      for (boolean ok = c.seek(new byte[] {kind}); ok; ok = c.next()) {
        byte[] k = c.key();
        if (k[0] != kind) {
          return;
        }
        int zero = indexOfZero(k);
        byte[] v = c.value();
        if (zero < 0 || k.length != zero + 5 || v.length != 8) {
          throw new CorruptionException(where, 0, "malformed entry in the store's meta tree ("
              + k.length + "-byte key, " + v.length + "-byte value)");
        }
        String topic = new String(k, 1, zero - 1, UTF_8);
        sink.accept(topic, ByteBuffer.wrap(k, zero + 1, 4).getInt(), ByteBuffer.wrap(v).getLong());
      }
    }
  }

  private static int indexOfZero(byte[] k) {
    for (int i = 1; i < k.length; i++) {
      if (k[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] key(byte kind, String topic, int partition) {
    byte[] t = topic.getBytes(UTF_8);
    return ByteBuffer.allocate(1 + t.length + 1 + 4).put(kind).put(t).put((byte) 0).putInt(partition).array();
  }

  static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }
}
