package io.jswarm.api.types;

import java.time.Instant;

/**
 * RFC 3339 timestamps read the way {@link Instant#parse} reads them, without java.time's formatter for the form the
 * daemon writes ({@code 2016-06-07T21:07:31.171892745Z}: Go's {@code RFC3339Nano} in UTC). {@code Instant.parse}
 * builds {@code DateTimeFormatter.ISO_INSTANT} and its parser, which link lambdas: ~25 ms of a cold client verb that
 * prints a few dates ({@code secret ls}, docs/footprint.md). Any other form ({@code +02:00}, a leap second, a date that
 * does not exist, a typo) goes to {@code Instant.parse}, whose instant or exception is then the answer. The daemon's
 * {@link Timestamps#parse} reads the same form with {@link #plain} before its own formatter ({@code service ps}'s rows).
 */
public final class Rfc3339 {
  private Rfc3339() {}

  /** The instant {@code s} names, as {@link Instant#parse} would give it (or its exception). */
  public static Instant parse(String s) {
    Instant t = plain(s);
    return t != null ? t : Instant.parse(s);
  }

  /** {@code YYYY-MM-DDTHH:MM:SS[.F{1,9}]Z} with a date that exists, or null. */
  public static Instant plain(String s) {
    int n = s.length();
    if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
        || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour < 0 || hour > 23
        || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      int fraction = n - 21;
      if (s.charAt(19) != '.' || fraction < 1) {
        return null;
      }
      nanos = digits(s, 20, n - 1);
      if (nanos < 0) {
        return null;
      }
      for (int i = fraction; i < 9; i++) {
        nanos *= 10;
      }
    }
    long days = daysFromEpoch(year, month, day);
    return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The decimal number in {@code s[from, to)}, or -1 when a character is no digit. */
  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static int daysIn(int year, int month) {
    if (month == 2) {
      return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28;
    }
    return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
  }

  /** Days from 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's {@code days_from_civil}). */
  private static long daysFromEpoch(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097 + doe - 719_468;
  }
}
