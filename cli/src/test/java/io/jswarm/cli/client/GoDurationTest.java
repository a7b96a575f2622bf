package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GoDurationTest {
  @Test
  void parsesGoDurations() {
    assertEquals(5_000_000_000L, GoDuration.parseNanos("5s"));
    assertEquals(90_000_000_000L, GoDuration.parseNanos("1m30s"));
    assertEquals(100_000_000L, GoDuration.parseNanos("100ms"));
    assertEquals(5_400_000_000_000L, GoDuration.parseNanos("1.5h"));
    assertEquals(1_500L, GoDuration.parseNanos("1.5us"));
    assertEquals(1_000L, GoDuration.parseNanos("1µs"));
    assertEquals(7L, GoDuration.parseNanos("7ns"));
    assertEquals(0L, GoDuration.parseNanos("0"));
    assertEquals(-2_000_000_000L, GoDuration.parseNanos("-2s"));
    assertEquals(500_000_000L, GoDuration.parseNanos(".5s"));
  }

  @Test
  void rejectsWhatGoRejects() {
    for (String bad : new String[] {"", "5", "s", "5x", "1m30", "1 s", "5S", "..5s"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos(bad), bad);
      assertTrue(e.getMessage().contains("ns, us, ms, s, m, h"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNonNegative("-1s"));
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos("9999999999h"));
  }

  @Test
  void formatsLikeGo() {
    assertEquals("0s", GoDuration.format(0));
    assertEquals("5s", GoDuration.format(5_000_000_000L));
    assertEquals("1m30s", GoDuration.format(90_000_000_000L));
    assertEquals("2h0m0s", GoDuration.format(7_200_000_000_000L));
    assertEquals("2160h0m0s", GoDuration.format(GoDuration.parseNanos("2160h")));
    assertEquals("100ms", GoDuration.format(100_000_000L));
    assertEquals("1.5s", GoDuration.format(1_500_000_000L));
    assertEquals("1.5µs", GoDuration.format(1_500L));
    assertEquals("7ns", GoDuration.format(7L));
    assertEquals("-5s", GoDuration.format(-5_000_000_000L));
  }
}
