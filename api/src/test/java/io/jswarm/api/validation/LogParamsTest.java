package io.jswarm.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogParamsTest {
  @Test
  void tailIsALineCountOrEverything() {
    assertEquals(-1, LogParams.tail(null));
    assertEquals(-1, LogParams.tail(""));
    assertEquals(-1, LogParams.tail("all"));
    assertEquals(-1, LogParams.tail("-7"));
    assertEquals(0, LogParams.tail("0"));
    assertEquals(25, LogParams.tail(" 25 "));
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> LogParams.tail("ten"));
    assertTrue(e.getMessage().startsWith("tail: "), e.getMessage());
    assertEquals(400, e.httpStatus());
  }

  @Test
  void unixTimeReadsSecondsAndAFractionAndRoundTrips() {
    assertNull(LogParams.unixTime("since", null));
    assertNull(LogParams.unixTime("since", ""));
    assertNull(LogParams.unixTime("since", "0"));
    assertNull(LogParams.unixTime("since", "0.000"));
    assertEquals(Instant.ofEpochSecond(1700000000, 500_000_000), LogParams.unixTime("since", "1700000000.5"));
    assertEquals(Instant.ofEpochSecond(12), LogParams.unixTime("until", "12."));
    Instant t = Instant.ofEpochSecond(1765000000, 123_456_789);
    assertEquals("1765000000.123456789", LogParams.unixString(t));
    assertEquals(t, LogParams.unixTime("since", LogParams.unixString(t)));
    for (String bad : new String[] {"yesterday", "1.5e3", "1.x", "99999999999999999999"}) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> LogParams.unixTime("until", bad));
      assertTrue(e.getMessage().startsWith("until: give a Unix time"), e.getMessage());
    }
  }
}
