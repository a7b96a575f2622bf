package io.jswarm.cli.client;

import java.time.Instant;

/**
 * The daemon's timestamps in their usual form, {@code 2016-06-07T21:07:31.171892745Z} (a four-digit year, an optional
 * fraction of one to nine digits, {@code Z} or {@code ±hh:mm}), read by hand: {@code Timestamps.parse} goes through
 * {@code DateTimeFormatter}, whose set-up links the JDK's lambdas (java.lang.invoke's start-up, ~11 ms of a cold
 * client; docs/footprint.md, "The CLI's start"). Anything else returns null and the caller parses it with
 * {@code Timestamps.parse}, which gives the same instant for what this reads (TimestampReaderTest compares them).
 */
final class TimestampReader {
  private TimestampReader() {}

  /** The instant {@code s} names, or null when it is not in the usual form (or names no valid date and time). */
  static Instant read(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
        || second > 59) {
      return null;
    }
    int at = 19;
    int nanos = 0;
    if (s.charAt(at) == '.') {
      int start = ++at;
      while (at < n && s.charAt(at) >= '0' && s.charAt(at) <= '9') {
        at++;
      }
      int count = at - start;
      if (count < 1 || count > 9) {
        return null;
      }
      nanos = digits(s, start, at);
      for (int i = count; i < 9; i++) {
        nanos *= 10;
      }
    }
    int offset;
    if (at == n - 1 && s.charAt(at) == 'Z') {
      offset = 0;
    } else if (at == n - 6 && (s.charAt(at) == '+' || s.charAt(at) == '-') && s.charAt(at + 3) == ':') {
      int oh = digits(s, at + 1, at + 3);
      int om = digits(s, at + 4, at + 6);
      if (oh < 0 || om < 0 || om > 59 || oh > 18 || oh == 18 && om > 0) {
        return null;
      }
      offset = (s.charAt(at) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return null;
    }
    if (month < 1 || month > 12 || day < 1 || day > monthLength(year, month)) {
      return null; // February 30th and the like
    }
    return Instant.ofEpochSecond(epochDay(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos);
  }

  private static boolean leap(int year) {
    return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  private static int monthLength(int year, int month) {
    return month == 2 ? (leap(year) ? 29 : 28) : month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
  }

  /**
   * Days from 1970-01-01 to a valid date of year 0 to 9999, as {@code LocalDate.toEpochDay} counts them (its
   * arithmetic): {@code LocalDate.of}'s checks through {@code ChronoField} ranges were most of a task's timestamp, run
   * interpreted 200 times by {@code service ps} of 100 tasks.
   */
  private static long epochDay(int year, int month, int day) {
    long y = year;
    long m = month;
    long total = 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400 + (367 * m - 362) / 12 + day - 1;
    if (m > 2) {
      total -= leap(year) ? 1 : 2;
    }
    return total - 719_528; // days from 0000-01-01 to 1970-01-01
  }

  /** The decimal number in {@code s[from, to)}, or -1 when a character is not an ASCII digit. */
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
}
