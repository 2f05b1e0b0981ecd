package dev.sapwood.internal.tree;

import dev.sapwood.internal.store.BlockFile;
import java.util.ArrayList;
import java.util.List;

/**
 * A read-only look at one node block as it is on disk, for the diagnostic tools
 * ({@code dev.sapwood.internal.tools}): read straight from the {@link BlockFile} through
 * {@link NodeReader}, never through the cache, so it verifies every checksum it reads and never
 * changes anything. Partitions are read on demand, one at a time.
 *
 * <p>Every read failure is the {@link dev.sapwood.CorruptionException} {@link NodeReader} throws.
 * Not thread-safe; the caller makes sure nothing writes the file meanwhile.
 */
public final class NodeInspector {
  /** Where partition i lies in the block. */
  public record Partition(int offset, int compressedLength, int rawLength, int codec) {}

  /** One buffered message. {@code value} is the exclusive end key of a range delete. */
  public record Message(String type, long msn, byte[] key, byte[] value, String function) {}

  /** One leaf basement: its own max MSN and its entries in key order. */
  public record Basement(long maxMsn, List<byte[]> keys, List<byte[]> values) {}

  private final BlockFile file;
  private final long block;
  private final Node node;

  private NodeInspector(BlockFile file, long block, Node node) {
    this.file = file;
    this.block = block;
    this.node = node;
  }

  /** Reads and checks the node header of {@code block} (no partition yet). */
  public static NodeInspector read(BlockFile file, long block) {
    return new NodeInspector(file, block, NodeReader.read(file, block));
  }

  public long block() {
    return block;
  }

  /** 0 for a leaf. */
  public int height() {
    return node.height;
  }

  public long maxMsn() {
    return node.maxMsn;
  }

  /** Number of partitions (children of an internal node, basements of a leaf). */
  public int partitions() {
    return node.n;
  }

  /** Pivot i (0 <= i < partitions() - 1): the inclusive lower bound of partition i + 1. */
  public byte[] pivot(int i) {
    return node.pivots[i].clone();
  }

  /** Block number of child i of an internal node. */
  public long child(int i) {
    return node.children[i];
  }

  public Partition partition(int i) {
    PartitionDirectory d = node.disk;
    return new Partition(d.offset(i), d.compressedLength(i), d.rawLength(i), d.codec(i));
  }

  /**
   * Reads, checks and decodes buffer i of an internal node: point messages first, then ranges. Its
   * filter, if it has one, must admit every point message's key (one it would hide is corruption).
   */
  public List<Message> buffer(int i) {
    MessageBuffer b = PartitionReader.readBuffer(file, block, node.disk, i);
    for (int p = 0; p < b.pointCount(); p++) {
      byte[] key = b.copyKey(b.point(p));
      if (!node.disk.pointsMayHold(i, key)) {
        throw NodeReader.corrupt(file, block, node.disk.offset(i), "the filter of buffer " + i
            + " hides a message it holds (point message " + p + ")");
      }
    }
    return messages(b);
  }

  /** The messages of {@code b}: point messages in (key, MSN) order, then range messages. */
  private static List<Message> messages(MessageBuffer b) {
    List<Message> out = new ArrayList<>(b.pointCount() + b.rangeCount());
    for (int m = 0; m < b.pointCount(); m++) {
      out.add(message(b, b.point(m)));
    }
    for (int m = 0; m < b.rangeCount(); m++) {
      out.add(message(b, b.range(m)));
    }
    return out;
  }

  /**
   * One segment of a leaf's delta as its index lists it: its block (the index block itself for a
   * format-6 delta read in place), max MSN, raw bytes, point and range message counts, and the
   * bytes of its key filter (0: none).
   */
  public record Segment(long block, long maxMsn, long rawBytes, int points, int ranges, int filterBytes) {}

  /** The block number of a leaf's delta index (docs/format/node.md, "Delta segments"); 0: none. */
  public long deltaBlock() {
    return node.height == 0 ? node.deltaBlock : 0;
  }

  /** Reads and checks a leaf's delta index: its segments, oldest first (empty: no delta). */
  public List<Segment> deltaSegments() {
    List<Segment> out = new ArrayList<>();
    for (DeltaSegment s : segments()) {
      out.add(new Segment(s.block, s.maxMsn, s.rawBytes, s.points, s.ranges,
          s.filter == null ? 0 : s.filter.bytes().length));
    }
    return out;
  }

  private DeltaSegment[] segments() {
    long d = deltaBlock();
    return d == 0 ? new DeltaSegment[0] : DeltaIndex.read(file, d, block);
  }

  /**
   * Reads, checks and decodes the delta of a leaf that has one ({@link #deltaBlock}): each
   * segment's point messages in (key, MSN) order, then its range messages, oldest segment first.
   * Each segment's header must name this leaf and agree with the index; a key the segment holds
   * must pass its filter (a filter that would hide a message is corruption).
   */
  public List<Message> delta() {
    List<Message> out = new ArrayList<>();
    for (DeltaSegment s : segments()) {
      PartitionDirectory dir = s.dir != null ? s.dir : NodeReader.readDelta(file, s.block, block);
      if (dir.rawLength(0) != s.rawBytes || dir.count(0) != s.points || dir.rangeCount(0) != s.ranges) {
        throw NodeReader.corrupt(file, s.block, 0, "delta segment of leaf " + block + " does not match its index");
      }
      MessageBuffer b = PartitionReader.readBuffer(file, s.block, dir, 0);
      for (int m = 0; m < b.pointCount(); m++) {
        byte[] key = b.copyKey(b.point(m));
        if (!s.mayHold(key)) {
          throw NodeReader.corrupt(file, deltaBlock(), 0, "the filter of delta segment " + s.block + " of leaf "
              + block + " rules out a key the segment holds");
        }
      }
      out.addAll(messages(b));
    }
    return out;
  }

  /** Raw bytes of a leaf's delta messages (0: none), from its index. */
  public long deltaRawBytes() {
    long total = 0;
    for (DeltaSegment s : segments()) {
      total += s.rawBytes;
    }
    return total;
  }

  /** Reads, checks and decodes basement i of a leaf. */
  public Basement basement(int i) {
    dev.sapwood.internal.tree.Basement b = PartitionReader.readBasement(file, block, node.disk, i);
    List<byte[]> keys = new ArrayList<>(b.count());
    List<byte[]> values = new ArrayList<>(b.count());
    for (int e = 0; e < b.count(); e++) {
      keys.add(b.key(e));
      values.add(b.value(e));
    }
    return new Basement(b.maxMsn(), keys, values);
  }

  private static Message message(MessageBuffer b, int rec) {
    byte type = b.type(rec);
    String name = switch (type) {
      case MessageType.PUT -> "PUT";
      case MessageType.DELETE -> "DELETE";
      case MessageType.UPDATE -> "UPDATE";
      case MessageType.DELETE_RANGE -> "DELETE_RANGE";
      case MessageType.UPDATE_RANGE -> "UPDATE_RANGE";
      default -> "type " + type;
    };
    return new Message(name, b.msn(rec), b.copyKey(rec), b.copyValue(rec),
        MessageType.hasFunction(type) ? b.functionName(rec) : null);
  }
}
