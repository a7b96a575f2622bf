package io.jswarm.cli.client;

import io.jswarm.api.validation.ByteSize;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for Docker's flag value types. picocli reports a failure as
 * {@code Invalid value for option '--restart-delay': <what is wrong and what is allowed>}.
 */
public final class FlagConverters {
  private FlagConverters() {}

  /** A non-negative Go duration ({@code 5s}, {@code 1m30s}) into nanoseconds. */
  public static final class Duration implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return GoDuration.parseNonNegative(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A memory size ({@code 64M}, {@code 1g}) into bytes. */
  public static final class Bytes implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return ByteSize.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** Decimal CPUs ({@code 0.5}) into NanoCPUs. */
  public static final class Cpus implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return NanoCpus.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
