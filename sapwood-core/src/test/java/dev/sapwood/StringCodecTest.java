package dev.sapwood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Codec.STRING is injective: no two strings share bytes, and no bytes decode to a guess. */
class StringCodecTest {
  @TempDir Path dir;

  @Test
  void anUnpairedSurrogateIsRefusedInsteadOfAliasingAQuestionMark() {
    assertThrows(IllegalArgumentException.class, () -> Codec.STRING.encode("\uD800"));
    assertThrows(IllegalArgumentException.class, () -> Codec.STRING.encode("a\uDC00"));
    assertArrayEquals("\uD83D\uDE00".getBytes(StandardCharsets.UTF_8), Codec.STRING.encode("\uD83D\uDE00"));
    try (Database db = Database.open(dir)) {
      Map<String, String> m = db.tree("t").asMap(Codec.STRING, Codec.STRING);
      m.put("?", "question mark");
      assertThrows(IllegalArgumentException.class, () -> m.put("\uD800", "surrogate"));
      assertThrows(IllegalArgumentException.class, () -> m.put("k", "\uDFFF"));
      assertEquals(Map.of("?", "question mark"), Map.copyOf(m));
    }
  }

  @Test
  void bytesThatAreNotUtf8AreRefusedNotReadAsReplacementCharacters() {
    for (byte[] bad : new byte[][] {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}}) {
      assertThrows(IllegalArgumentException.class, () -> Codec.STRING.decode(bad));
    }
    assertEquals("caf\u00e9", Codec.STRING.decode("caf\u00e9".getBytes(StandardCharsets.UTF_8)));
  }
}
