package io.jswarm.cli.client;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

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
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return null; // February 30th and the like
    }
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600 + minute * 60 + second - offset, nanos);
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
