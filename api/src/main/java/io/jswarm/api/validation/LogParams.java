package io.jswarm.api.validation;

import io.jswarm.api.errors.InvalidArgumentException;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * The query parameters Docker's log and event routes share ({@code tail}, {@code since}, {@code until}), read the
 * same way by a manager's routes and a worker's node-local ones: a bad value is a 400 that names the parameter.
 */
public final class LogParams {
  private LogParams() {}

  /** Docker's {@code tail}: {@code all} (or absent, empty, negative) is everything (-1), else a line count. */
  public static int tail(String v) {
    if (v == null || v.isEmpty() || v.equals("all")) {
      return -1;
    }
    try {
      return Math.max(Integer.parseInt(v.trim()), -1);
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("tail: give a number of lines or 'all', got '" + v + "'");
    }
  }

  /** Docker's Unix time {@code seconds[.nanoseconds]}; absent, empty or {@code 0} is no bound (null). */
  public static Instant unixTime(String name, String v) {
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      String[] parts = v.trim().split("\\.", 2);
      long sec = Long.parseLong(parts[0]);
      long nanos = 0;
      if (parts.length == 2 && !parts[1].isEmpty()) {
        String frac = (parts[1] + "000000000").substring(0, 9);
        if (!frac.chars().allMatch(Character::isDigit)) {
          throw new NumberFormatException();
        }
        nanos = Long.parseLong(frac);
      }
      return sec == 0 && nanos == 0 ? null : Instant.ofEpochSecond(sec, nanos);
    } catch (NumberFormatException | DateTimeException e) {
      throw new InvalidArgumentException(name + ": give a Unix time as seconds[.nanoseconds], got '" + v + "'");
    }
  }

  /** The inverse of {@link #unixTime}: {@code seconds.nanoseconds} with nine digits. */
  public static String unixString(Instant t) {
    return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
  }
}
