package io.jswarm.cli.client;

import java.math.BigDecimal;

/** CPU counts as Docker's {@code --reserve-cpu}/{@code --limit-cpu} read them: decimal CPUs, stored as CPUs x 10^9. */
public final class NanoCpus {
  private static final BigDecimal NANOS = BigDecimal.valueOf(1_000_000_000L);

  private NanoCpus() {}

  /**
   * Parses {@code 0.5} into {@code 500000000}.
   *
   * @throws IllegalArgumentException naming the value and the allowed form
   */
  public static long parse(String s) {
    BigDecimal cpus;
    try {
      cpus = new BigDecimal(s.trim());
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException("invalid CPU count \"" + s + "\": want a decimal number of CPUs such as 0.5 or 2");
    }
    if (cpus.signum() < 0) {
      throw new IllegalArgumentException("invalid CPU count \"" + s + "\": cannot be negative");
    }
    BigDecimal nanos = cpus.multiply(NANOS);
    if (nanos.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException("invalid CPU count \"" + s + "\": too precise (at most 9 decimal places)");
    }
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("invalid CPU count \"" + s + "\": too large");
    }
    return nanos.longValueExact();
  }

  /** {@code 500000000} as {@code 0.5}, the way Docker's pretty inspect shows CPUs. */
  public static String format(long nanos) {
    return BigDecimal.valueOf(nanos).divide(NANOS).stripTrailingZeros().toPlainString();
  }
}
