package io.jswarm.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
  @Test
  void parsesBinaryMultiplesLikeRamInBytes() {
    assertEquals(64L << 20, ByteSize.parse("64M"));
    assertEquals(64L << 20, ByteSize.parse("64m"));
    assertEquals(64L << 20, ByteSize.parse("64MiB"));
    assertEquals(64L << 20, ByteSize.parse("64mb"));
    assertEquals(1L << 30, ByteSize.parse("1g"));
    assertEquals(1536L << 20, ByteSize.parse("1.5g"));
    assertEquals(512L, ByteSize.parse("512"));
    assertEquals(512L, ByteSize.parse("512b"));
    assertEquals(2048L, ByteSize.parse("2 k"));
    assertEquals(1L << 40, ByteSize.parse("1t"));
  }

  @Test
  void rejectsOtherText() {
    for (String bad : new String[] {"", "M", "-1m", "12x", "1.2.3g", "64 MBs"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(bad), bad);
      assertTrue(e.getMessage().contains("such as 64M"), e.getMessage());
    }
  }

  @Test
  void printsHumanSizes() {
    assertEquals("64MiB", ByteSize.human(64L << 20));
    assertEquals("1.5GiB", ByteSize.human(1536L << 20));
    assertEquals("512B", ByteSize.human(512));
    assertEquals("0B", ByteSize.human(0));
  }
}
