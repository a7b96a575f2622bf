package io.jswarm.api.listing;

import java.time.Duration;

/** Elapsed time in words, as the docker CLI writes "Running 5 seconds ago" (go-units {@code HumanDuration}). */
public final class HumanTime {
  private HumanTime() {}

  /** "Less than a second", "1 second", "5 seconds", "About a minute", "3 minutes", "About an hour", "5 hours", ... */
  public static String duration(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < 1) {
      return "Less than a second";
    } else if (seconds == 1) {
      return "1 second";
    } else if (seconds < 60) {
      return seconds + " seconds";
    }
    long minutes = d.toMinutes();
    if (minutes == 1) {
      return "About a minute";
    } else if (minutes < 60) {
      return minutes + " minutes";
    }
    long hours = Math.round(d.toSeconds() / 3600.0);
    if (hours == 1) {
      return "About an hour";
    } else if (hours < 48) {
      return hours + " hours";
    } else if (hours < 24 * 7 * 2) {
      return hours / 24 + " days";
    } else if (hours < 24 * 30 * 2) {
      return hours / 24 / 7 + " weeks";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 / 30 + " months";
    }
    return d.toHours() / 24 / 365 + " years";
  }

  /** Docker's {@code PrettyPrint}: first letter upper case, the rest lower case ("ready" -> "Ready"). */
  public static String capitalize(String s) {
    if (s == null || s.isEmpty()) {
      return "";
    }
    if (s.length() == 1) {
      return s.toLowerCase(java.util.Locale.ROOT);
    }
    return s.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + s.substring(1).toLowerCase(java.util.Locale.ROOT);
  }
}
