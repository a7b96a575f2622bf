package io.jswarm.api.types;

import io.jswarm.api.errors.InvalidArgumentException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * Timestamps as Docker writes them: Go's {@code time.RFC3339Nano} in UTC, e.g.
 * {@code 2016-06-07T21:07:31.171892745Z}. The fraction has its trailing zeros trimmed and is left out when
 * zero ({@code 2016-06-07T21:07:31Z}). Objects keep timestamps as these strings so that they round-trip
 * byte for byte.
 */
public final class Timestamps {
  private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
      .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
      .appendLiteral('Z')
      .toFormatter(Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private static final DateTimeFormatter PARSE = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
      .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
      .appendOffset("+HH:MM", "Z")
      .toFormatter(Locale.ROOT)
      .withResolverStyle(ResolverStyle.STRICT);

  private Timestamps() {}

  /** Formats an instant as RFC 3339 with nanoseconds in UTC, trailing zeros of the fraction trimmed. */
  public static String format(Instant t) {
    return FORMAT.format(t);
  }

  /**
   * Parses an RFC 3339 timestamp with an optional fraction of up to nine digits and a {@code Z} or
   * {@code ±hh:mm} offset. Docker's own form ({@code Z}, a date that exists) is read by hand ({@link Rfc3339#plain}):
   * {@code service ps} reads two a task ({@code GET /tasks?view=rows}), and the formatter's parse and resolution cost
   * a few microseconds each once compiled, far more before; any other form goes to the formatter.
   *
   * @throws InvalidArgumentException when {@code s} is not such a timestamp
   */
  public static Instant parse(String s) {
    Instant plain = s == null ? null : Rfc3339.plain(s); // the form written above, read without the formatter
    if (plain != null) {
      return plain;
    }
    try {
      return OffsetDateTime.parse(s, PARSE).toInstant();
    } catch (DateTimeParseException | NullPointerException e) {
      throw new InvalidArgumentException("invalid timestamp \"" + s
          + "\": want RFC 3339 with optional nanoseconds, such as 2016-06-07T21:07:31.171892745Z");
    }
  }
}
