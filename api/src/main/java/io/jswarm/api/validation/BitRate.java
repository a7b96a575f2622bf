package io.jswarm.api.validation;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network rates in bits per second, as {@code --limit-bandwidth} reads them: a number with an optional SI prefix
 * (k, m, g: 1000, not 1024) and an optional {@code bit} or {@code bit/s}: {@code 10mbit}, {@code 10Mbit/s},
 * {@code 10M}, {@code 1.5g}, {@code 500000}. tc's {@code mbps} (megabytes per second) is refused as ambiguous.
 */
public final class BitRate {
  /** The slowest limit: 8 kbit/s (1 kB/s). */
  public static final long MIN = 8_000;
  /** The fastest limit: 32 Gbit/s (what a 32-bit byte rate of a tc ratespec holds). */
  public static final long MAX = 32_000_000_000L;

  private static final Pattern RATE = Pattern.compile("^(\\d+(?:\\.\\d+)?) ?([kKmMgG])?(?:bit|bit/s|b/s)?$");

  private BitRate() {}

  /**
   * Parses a rate into bits per second.
   *
   * @throws IllegalArgumentException naming the value and the allowed form
   */
  public static long parse(String s) {
    Matcher m = RATE.matcher(s == null ? "" : s.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid rate \"" + s + "\": want bits per second with an optional k, m or "
          + "g (1000s), such as 10mbit, 10Mbit/s or 500k");
    }
    int exp = m.group(2) == null ? 0 : 3 * ("kmg".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1);
    BigDecimal bits = new BigDecimal(m.group(1)).scaleByPowerOfTen(exp);
    if (bits.compareTo(BigDecimal.valueOf(MAX)) > 0) {
      throw new IllegalArgumentException("invalid rate \"" + s + "\": at most 32gbit");
    }
    return bits.longValue();
  }

  /** {@code 10Mbit/s}, {@code 1.5Gbit/s}, {@code 800kbit/s}, {@code 500bit/s}. */
  public static String human(long bitsPerSecond) {
    String[] units = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s"};
    double v = bitsPerSecond;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    String num = String.format(Locale.ROOT, "%.4g", v);
    if (num.contains(".")) {
      num = num.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return num + units[u];
  }
}
