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

  /**
   * {@code human} writes its four digits without {@code Formatter} ({@code significant}): the same text as
   * {@code String.format("%.4g")} with its trailing zeros stripped, for sizes of every magnitude (random, and the
   * roundings at each unit's edge), and {@code significant} gives the plain {@code %g} text for 3 and 4 digits.
   */
  @Test
  void humanWritesWhatFormatterWrote() {
    java.util.Random random = new java.util.Random(18);
    java.util.List<Long> sizes = new java.util.ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      sizes.add(random.nextLong() >>> random.nextInt(64));
    }
    for (int shift = 0; shift <= 60; shift += 10) {
      for (long d = -3; d <= 3; d++) {
        sizes.add(Math.max(0, (1023L << shift) + d * Math.max(1, 1L << Math.max(0, shift - 11))));
        sizes.add(Math.max(0, (1L << shift) + d));
        sizes.add(Math.max(0, (10_235L << shift) / 10 + d));
      }
    }
    for (long b : sizes) {
      assertEquals(formatterHuman(b), ByteSize.human(b), Long.toString(b));
    }
    for (int i = 0; i < 50_000; i++) {
      double v = Math.pow(10, random.nextInt(12) - 6) * random.nextDouble();
      for (int digits = 3; digits <= 4; digits++) {
        String f = String.format(java.util.Locale.ROOT, "%." + digits + "g", v);
        String plain = ByteSize.significant(v, digits);
        if (f.contains("e")) {
          assertEquals(null, plain, v + " " + digits);
        } else {
          String stripped = f.contains(".") ? f.replaceAll("0+$", "").replaceAll("\\.$", "") : f;
          assertEquals(stripped, plain, v + " " + digits);
        }
      }
    }
  }

  /** What {@code human} wrote with {@code Formatter}. */
  private static String formatterHuman(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int unit = 0;
    while (v >= 1024 && unit < units.length - 1) {
      v /= 1024;
      unit++;
    }
    String num = String.format(java.util.Locale.ROOT, "%.4g", v);
    if (num.contains(".")) {
      num = num.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return num + units[unit];
  }
}
