package io.jswarm.api.validation;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory sizes as Docker's flags read them ({@code go-units RAMInBytes}: binary multiples, {@code 64M} is 64 MiB,
 * an optional {@code i} and {@code b}, no unit means bytes) and write them ({@code BytesSize}: {@code 64MiB}).
 */
public final class ByteSize {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private ByteSize() {}

  /**
   * The size form, compiled at the first parse: a regular expression links lambdas, ~10 ms of a cold client verb that
   * only prints sizes ({@code node inspect --pretty}, docs/footprint.md).
   */
  private static final class Form {
    static final Pattern SIZE = Pattern.compile("^(\\d+(?:\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$");
  }

  /**
   * Parses a size into bytes.
   *
   * @throws IllegalArgumentException naming the value and the allowed form
   */
  public static long parse(String s) {
    Matcher m = Form.SIZE.matcher(s == null ? "" : s);
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid size \"" + s
          + "\": want a number with an optional unit b, k, m, g, t or p (binary multiples), such as 64M or 1g");
    }
    BigDecimal value;
    try {
      value = new BigDecimal(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid size \"" + s + "\": \"" + m.group(1)
          + "\" is not a number; want a number with an optional unit, such as 64M or 1g");
    }
    int shift = m.group(2) == null ? 0 : 10 * ("kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1);
    BigDecimal bytes = value.multiply(BigDecimal.valueOf(2).pow(shift));
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("invalid size \"" + s + "\": too large");
    }
    return bytes.longValue();
  }

  /** Binary size as Docker prints it: {@code 64MiB}, {@code 1.5GiB}, {@code 512B}. */
  public static String human(long bytes) {
    double v = bytes;
    int unit = 0;
    while (v >= 1024 && unit < UNITS.length - 1) {
      v /= 1024;
      unit++;
    }
    String num = significant(v, 4);
    if (num == null) {
      num = String.format(Locale.ROOT, "%.4g", v);
      if (num.contains(".")) {
        num = num.replaceAll("0+$", "").replaceAll("\\.$", "");
      }
    }
    return num + UNITS[unit];
  }

  /**
   * {@code String.format(Locale.ROOT, "%.<digits>g", v)} without its trailing zeros and point ({@code 4.26},
   * {@code 725}, {@code 1.5}) for a value {@code %g} writes without an exponent; null for one it writes with an
   * exponent (that rounds to {@code 10^digits} or more, or is below 0.0001). Written out because a {@code Formatter}
   * compiles a regular expression and reads the locale's number symbols, which link a dozen lambdas in a cold client
   * verb (docs/footprint.md).
   */
  public static String significant(double v, int digits) {
    if (v == 0) {
      return "0";
    }
    // the shortest decimal digits, rounded half up: what Formatter's %g rounds
    BigDecimal r = new BigDecimal(Double.toString(v)).round(new java.math.MathContext(digits,
        java.math.RoundingMode.HALF_UP));
    int exponent = r.precision() - r.scale() - 1;
    if (exponent >= digits || exponent < -4) {
      return null;
    }
    String num = r.setScale(digits - 1 - exponent, java.math.RoundingMode.UNNECESSARY).toPlainString();
    int end = num.length();
    if (num.indexOf('.') >= 0) {
      while (num.charAt(end - 1) == '0') {
        end--;
      }
      if (num.charAt(end - 1) == '.') {
        end--;
      }
    }
    return num.substring(0, end);
  }
}
