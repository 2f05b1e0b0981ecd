package dev.sapwood.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sapwood.CorruptionException;
import dev.sapwood.Database;
import dev.sapwood.internal.util.BigEndian;
import dev.sapwood.internal.util.Checksums;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One rule for tree names (valid Unicode, 1..255 UTF-8 bytes) in the API, the catalog and the log. */
class TreeNamesTest {
  @TempDir Path dir;

  @Test
  void anUnpairedSurrogateIsNotATreeNameSoItCannotAliasAnother() {
    try (Database db = Database.open(dir)) {
      for (String bad : List.of("\uD800", "a\uDC00", "\uDBFF\uDBFF", "x\uD83D")) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> db.tree(bad));
        assertTrue(e.getMessage().contains("surrogate"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> db.dropTree(bad));
      }
      db.tree("?").put(bytes("k"), bytes("question mark"));
      db.tree("\uD83D\uDE00").put(bytes("k"), bytes("a paired surrogate is a code point"));
      assertEquals(2, db.treeNames().size());
    }
    try (Database db = Database.open(dir)) {
      assertEquals(List.of("?", "\uD83D\uDE00"), db.treeNames());
      assertArrayEquals(bytes("question mark"), db.tree("?").get(bytes("k")));
    }
  }

  @Test
  void lengthIsCountedInStoredBytes() {
    assertEquals(255, TreeNames.encode("\u00e9".repeat(127) + "a").length);
    assertThrows(IllegalArgumentException.class, () -> TreeNames.encode("\u00e9".repeat(128)));
    assertThrows(IllegalArgumentException.class, () -> TreeNames.encode(""));
    assertThrows(IllegalArgumentException.class, () -> TreeNames.encode(null));
  }

  @Test
  void decodeIsTheStrictInverseOfEncode() {
    String name = "caf\u00e9 \uD83D\uDE00";
    assertEquals(name, TreeNames.decode(TreeNames.encode(name)));
    byte[][] malformed = {
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate (CESU-8)
      {(byte) 0xC0, (byte) 0xAF}, // an overlong '/'
      {'a', (byte) 0x80}, // a stray continuation byte
      {(byte) 0xE2, (byte) 0x82}, // cut short
      {}
    };
    for (byte[] m : malformed) {
      assertThrows(IllegalArgumentException.class, () -> TreeNames.decode(m));
    }
  }

  @Test
  void aCatalogWithAMalformedNameIsCorrupt() {
    Catalog c = new Catalog();
    c.add("abc", 5);
    byte[] b = c.encode();
    int at = 8 + 2; // magic, tree count, name length
    assertEquals('a', b[at]);
    b[at] = (byte) 0xED;
    b[at + 1] = (byte) 0xA0;
    b[at + 2] = (byte) 0x80;
    BigEndian.putInt(b, b.length - 4, Checksums.crc32c(b, 0, b.length - 4));
    CorruptionException e = assertThrows(CorruptionException.class, () -> Catalog.decode(b, "f", 4096));
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
  }

  @Test
  void aLogRecordCreatingATreeWithABadNameIsCorrupt() {
    byte[] p = LogRecords.createTree(1, "abc"); // kind, id 1, length 3, name
    p[3] = (byte) 0xED;
    p[4] = (byte) 0xA0;
    p[5] = (byte) 0x80;
    byte[] empty = {LogRecords.CREATE_TREE, 1, 0};
    byte[] long256 = new byte[4 + 256];
    long256[0] = LogRecords.CREATE_TREE;
    long256[1] = 1;
    long256[2] = (byte) 0x80; // 256 as a varint
    long256[3] = 2;
    java.util.Arrays.fill(long256, 4, long256.length, (byte) 'x');
    for (byte[] payload : List.of(p, empty, long256)) {
      assertThrows(CorruptionException.class, () -> LogRecords.decode(payload, 9, new NoVisitor()));
    }
    assertThrows(IllegalArgumentException.class, () -> LogRecords.createTree(1, "\uD800"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static final class NoVisitor implements LogRecords.Visitor {
    @Override
    public void op(byte type, int treeId, byte[] key, byte[] value, byte[] fn) {
      throw new AssertionError("no op expected");
    }

    @Override
    public void createTree(int treeId, String name) {
      throw new AssertionError("a bad name reached the visitor: " + name);
    }

    @Override
    public void dropTree(int treeId) {
      throw new AssertionError("no drop expected");
    }
  }
}
