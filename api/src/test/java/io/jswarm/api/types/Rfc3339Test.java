package io.jswarm.api.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Rfc3339}: the daemon's timestamps read by hand as {@link Instant#parse} reads them, anything else left to it;
 * and {@link Timestamps#parse}, which reads the plain form with it, as its formatter reads them.
 */
class Rfc3339Test {
  @Test
  void readsTheDaemonsFormAsInstantParseDoes() {
    Random r = new Random(18);
    for (int i = 0; i < 20_000; i++) {
      Instant t = Instant.ofEpochSecond(r.nextLong() % 253_402_300_799L, r.nextInt(1_000_000_000));
      if (t.getEpochSecond() < -62_167_219_200L) { // before year 0000: not the four-digit form
        continue;
      }
      String s = t.toString(); // ISO: the fraction in 3, 6 or 9 digits, or none
      assertEquals(t, Rfc3339.parse(s), s);
      assertNotNull(Rfc3339.plain(s), s);
      String go = io.jswarm.api.types.Timestamps.format(t); // Go's RFC3339Nano: trailing zeros trimmed
      assertEquals(Instant.parse(go), Rfc3339.parse(go), go);
      assertNotNull(Rfc3339.plain(go), go);
      assertEquals(OffsetDateTime.parse(go, FORMATTER).toInstant(), Timestamps.parse(go), go);
    }
    for (String s : List.of("2024-02-29T23:59:59.999999999Z", "2000-02-29T00:00:00Z", "1970-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.1Z", "1969-12-31T23:59:59.5Z", "0001-01-01T00:00:00Z")) {
      assertEquals(Instant.parse(s), Rfc3339.parse(s), s);
      assertSameAsFormatter(s);
      assertNotNull(Rfc3339.plain(s), s);
    }
  }

  @Test
  void leavesEveryOtherFormToInstantParse() {
    for (String s : List.of("2016-06-07T21:07:31+02:00", "2016-06-07T23:59:60Z", "2016-06-07t21:07:31Z",
        "2016-06-07T21:07:31.Z", "2016-06-07T21:07:31.1234567891Z", "2016-06-07 21:07:31Z", "2016-6-07T21:07:31Z",
        "2016-06-07T21:07Z", "+2016-06-07T21:07:31Z", "2016-01-01T24:00:00Z", "2016-06-07T21:07:31.1a2Z", "2016-06-07T21:07:31")) {
      assertNull(Rfc3339.plain(s), s);
      assertSame(s);
      assertSameAsFormatter(s);
    }
    for (String s : List.of("2016-02-30T00:00:00Z", "2015-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
        "2016-04-31T00:00:00Z", "2016-13-01T00:00:00Z", "2016-00-01T00:00:00Z", "2016-01-00T00:00:00Z",
        "2016-01-01T00:60:00Z", "", "not a time")) {
      assertNull(Rfc3339.plain(s), s);
      assertThrows(DateTimeParseException.class, () -> Rfc3339.parse(s), s);
      assertThrows(DateTimeParseException.class, () -> Instant.parse(s), s);
      assertThrows(io.jswarm.api.errors.InvalidArgumentException.class, () -> Timestamps.parse(s), s);
    }
  }

  /** Timestamps' own formatter, which {@link Timestamps#parse} used for every form before the plain one was read by hand. */
  private static final DateTimeFormatter FORMATTER = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
      .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
      .appendOffset("+HH:MM", "Z")
      .toFormatter(Locale.ROOT)
      .withResolverStyle(ResolverStyle.STRICT);

  /** {@link Timestamps#parse} answers what its formatter answers: the same instant, or an invalid argument. */
  private static void assertSameAsFormatter(String s) {
    Instant expected;
    try {
      expected = OffsetDateTime.parse(s, FORMATTER).toInstant();
    } catch (DateTimeParseException e) {
      assertThrows(io.jswarm.api.errors.InvalidArgumentException.class, () -> Timestamps.parse(s), s);
      return;
    }
    assertEquals(expected, Timestamps.parse(s), s);
  }

  /** The same instant as {@code Instant.parse}, or the same exception. */
  private static void assertSame(String s) {
    Instant expected;
    try {
      expected = Instant.parse(s);
    } catch (DateTimeParseException e) {
      assertThrows(DateTimeParseException.class, () -> Rfc3339.parse(s), s);
      return;
    }
    assertEquals(expected, Rfc3339.parse(s), s);
  }
}
