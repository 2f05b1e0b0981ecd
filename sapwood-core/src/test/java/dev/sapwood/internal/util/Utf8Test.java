package dev.sapwood.internal.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {
  @Test
  void validStringsRoundTripAsTheirStandardEncoding() {
    for (String s : new String[] {"", "?", "\u00e9t\u00e9 \u6728", "\uD83C\uDF33 tree"}) {
      byte[] b = Utf8.encode(s);
      assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), b, s);
      assertEquals(s, Utf8.decode(b), s);
    }
  }

  @Test
  void anUnpairedSurrogateHasNoEncoding() {
    assertNull(Utf8.encode("\uD800"));
    assertNull(Utf8.encode("a\uDC00b"));
  }

  @Test
  void malformedOverlongAndSurrogateBytesHaveNoString() {
    assertNull(Utf8.decode(new byte[] {(byte) 0xC0, (byte) 0xBF})); // overlong '?'
    assertNull(Utf8.decode(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})); // encoded U+D800
    assertNull(Utf8.decode(new byte[] {(byte) 0xE6, (byte) 0x9C})); // cut short
    assertNull(Utf8.decode(new byte[] {(byte) 0xFF}));
  }
}
