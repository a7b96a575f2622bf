package io.jswarm.cli.client;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written the way Go's {@code time.ParseDuration} reads them and {@code Duration.String} writes them:
 * {@code 5s}, {@code 1m30s}, {@code 100ms}, {@code 1.5h}, {@code 0}. Units ns, us (or µs), ms, s, m, h.
 */
public final class GoDuration {
  private static final long SECOND = 1_000_000_000L;

  private GoDuration() {}

  /**
   * The parser's pattern, compiled at the first parse: {@link #format} (every {@code --pretty}) compiles no regular
   * expression, which would link the JDK's lambdas in a cold CLI (docs/footprint.md, "The CLI's start").
   */
  private static final class Parts {
    static final Pattern PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)");
  }

  /**
   * Parses a Go duration into nanoseconds.
   *
   * @throws IllegalArgumentException naming the value and the allowed form
   */
  public static long parseNanos(String s) {
    String in = s == null ? "" : s.trim();
    String body = in;
    boolean negative = false;
    if (body.startsWith("-") || body.startsWith("+")) {
      negative = body.charAt(0) == '-';
      body = body.substring(1);
    }
    if (body.equals("0")) {
      return 0;
    }
    if (body.isEmpty()) {
      throw invalid(s);
    }
    Matcher m = Parts.PART.matcher(body);
    BigDecimal total = BigDecimal.ZERO;
    int at = 0;
    while (at < body.length()) {
      if (!m.find(at) || m.start() != at || m.group(1).isEmpty() || m.group(1).equals(".")) {
        throw invalid(s);
      }
      total = total.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
      at = m.end();
    }
    if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("duration \"" + s + "\" is too long (at most about 292 years)");
    }
    long nanos = total.longValue(); // Go truncates fractions of a nanosecond
    return negative ? -nanos : nanos;
  }

  /** Parses a duration that may not be negative, as Docker's duration flags require. */
  public static long parseNonNegative(String s) {
    long n = parseNanos(s);
    if (n < 0) {
      throw new IllegalArgumentException("duration \"" + s + "\" cannot be negative");
    }
    return n;
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs", "μs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> SECOND;
      case "m" -> 60 * SECOND;
      default -> 3600 * SECOND; // h
    };
  }

  private static IllegalArgumentException invalid(String s) {
    return new IllegalArgumentException("invalid duration \"" + s
        + "\": want a number and a unit (ns, us, ms, s, m, h), such as 5s, 1m30s or 100ms");
  }

  /** Formats nanoseconds as Go's {@code Duration.String}: {@code 0s}, {@code 100ms}, {@code 1m30s}, {@code 2h0m0s}. */
  public static String format(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    String sign = nanos < 0 ? "-" : "";
    long u = Math.abs(nanos);
    if (u < SECOND) {
      if (u < 1_000) {
        return sign + u + "ns";
      }
      if (u < 1_000_000) {
        return sign + fraction(u, 3) + "µs";
      }
      return sign + fraction(u, 6) + "ms";
    }
    long hours = u / (3600 * SECOND);
    long minutes = u / (60 * SECOND) % 60;
    String secs = fraction(u % (60 * SECOND), 9) + "s";
    if (hours > 0) {
      return sign + hours + "h" + minutes + "m" + secs;
    }
    if (minutes > 0) {
      return sign + minutes + "m" + secs;
    }
    return sign + secs;
  }

  /** {@code v / 10^digits} with the fraction's trailing zeros trimmed. */
  private static String fraction(long v, int digits) {
    long div = (long) Math.pow(10, digits);
    long whole = v / div;
    long frac = v % div;
    if (frac == 0) {
      return Long.toString(whole);
    }
    StringBuilder f = new StringBuilder(Long.toString(frac)); // the fraction's digits, zero-padded, trailing zeros cut
    while (f.length() < digits) {
      f.insert(0, '0');
    }
    int end = f.length();
    while (f.charAt(end - 1) == '0') {
      end--;
    }
    return whole + "." + f.substring(0, end);
  }
}
