package io.jswarm.api.validation;

import java.util.List;
import java.util.regex.Pattern;

/** Small checks shared by the spec rules. Each adds a problem and returns normally. */
final class Checks {
  /** Swarm's rule for names that become DNS labels (services, networks). */
  private static final Pattern DNS_NAME = Pattern.compile("^[a-zA-Z0-9]+(?:[-_]+[a-zA-Z0-9]+)*$");
  private static final int MAX_DNS_NAME = 63;

  /** Swarm's rule for secret and config names. */
  private static final Pattern FILE_NAME = Pattern.compile("^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]*[a-zA-Z0-9])?$");
  private static final int MAX_FILE_NAME = 64;

  private Checks() {}

  static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  static void dnsName(Problems p, String path, String name, String what) {
    if (isEmpty(name)) {
      p.add(path, "must not be empty; give the " + what + " a name");
    } else if (name.length() > MAX_DNS_NAME || !DNS_NAME.matcher(name).matches()) {
      p.add(path, "\"" + name + "\" is not a valid " + what + " name; use 1 to " + MAX_DNS_NAME
          + " letters, digits, '-' or '_', starting and ending with a letter or digit (it becomes a DNS name)");
    }
  }

  static void fileName(Problems p, String path, String name, String what) {
    if (isEmpty(name)) {
      p.add(path, "must not be empty; give the " + what + " a name");
    } else if (name.length() > MAX_FILE_NAME || !FILE_NAME.matcher(name).matches()) {
      p.add(path, "\"" + name + "\" is not a valid " + what + " name; use 1 to " + MAX_FILE_NAME
          + " letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
    }
  }

  /** Requires {@code value} to be exactly one of {@code allowed}, as Docker compares; empty passes when {@code optional}. */
  static void oneOf(Problems p, String path, String value, boolean optional, String... allowed) {
    if (isEmpty(value)) {
      if (!optional) {
        p.add(path, "must be set; allowed: " + String.join(", ", allowed));
      }
      return;
    }
    if (!List.of(allowed).contains(value)) {
      p.add(path, "\"" + value + "\" is not allowed; use one of " + String.join(", ", allowed));
    }
  }

  static void notNegative(Problems p, String path, Long value, String unit) {
    if (value != null && value < 0) {
      p.add(path, "must not be negative (" + value + "); give " + unit);
    }
  }

  /** A duration in nanoseconds that Docker treats as "0 = default, else at least 1 ms". */
  static void zeroOrAtLeastMillisecond(Problems p, String path, Long nanos) {
    if (nanos != null && (nanos < 0 || (nanos > 0 && nanos < 1_000_000))) {
      p.add(path, nanos + " ns is not allowed; give 0 (inherit) or at least 1000000 (1 ms), in nanoseconds");
    }
  }
}
