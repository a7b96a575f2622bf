package io.jswarm.cli.client;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Time flags as the docker client reads them ({@code --since}, {@code --until}). */
public final class TimeArgs {
  private static final Pattern UNIX_TIME = Pattern.compile("\\d+(\\.\\d{1,9})?");

  private TimeArgs() {}

  /**
   * A Unix time as it is, a Go duration ago, or an RFC 3339 time; as {@code seconds.nanos} for the API.
   *
   * @throws UsageException naming the flag {@code name} for anything else
   */
  public static String unix(String name, String v, Instant now) {
    if (UNIX_TIME.matcher(v).matches()) {
      return v;
    }
    Instant t;
    try {
      t = OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException notRfc3339) {
      try {
        t = now.minusNanos(GoDuration.parseNonNegative(v));
      } catch (IllegalArgumentException notDuration) {
        throw new UsageException("invalid value for \"" + name + "\": \"" + v + "\": give a Unix time, an RFC 3339 "
            + "time (2013-01-02T13:23:37Z) or a duration (42m)");
      }
    }
    return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
  }
}
