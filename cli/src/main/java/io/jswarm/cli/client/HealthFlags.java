package io.jswarm.cli.client;

import io.jswarm.api.types.Healthcheck;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --health-*} and {@code --no-healthcheck} flags of {@code service create} and {@code service update}
 * (a picocli mixin); null means "not given".
 */
public final class HealthFlags {
  private static final long MIN_DURATION = 1_000_000; // Docker: 0 (inherit) or at least 1 ms

  @Option(names = "--health-cmd", description = "Command to run to check health (run with /bin/sh -c).")
  public String cmd;

  @Option(names = "--health-interval", converter = FlagConverters.Duration.class,
      description = "Time between running the check (ms|s|m|h) (default 30s).")
  public Long interval;

  @Option(names = "--health-timeout", converter = FlagConverters.Duration.class,
      description = "Maximum time to allow one check to run (ms|s|m|h) (default 30s).")
  public Long timeout;

  @Option(names = "--health-retries", description = "Consecutive failures needed to report unhealthy (default 3).")
  public Long retries;

  @Option(names = "--health-start-period", converter = FlagConverters.Duration.class,
      description = "Start period for the container to initialize before failures count (ms|s|m|h).")
  public Long startPeriod;

  @Option(names = "--no-healthcheck", description = "Disable any container-specified HEALTHCHECK.")
  public boolean disable;

  /**
   * The health check after these flags: {@code current} itself when none is given, {@code NONE} for
   * {@code --no-healthcheck}, else {@code current} (null for a new service) with the given fields replaced. A
   * {@code --health-*} flag on a disabled check turns it back on.
   *
   * @throws UsageException naming the flag when a value is not allowed
   */
  public Healthcheck merge(Healthcheck current) {
    boolean any = cmd != null || interval != null || timeout != null || retries != null || startPeriod != null;
    if (disable) {
      if (any) {
        throw new UsageException("--no-healthcheck conflicts with --health-* options");
      }
      Healthcheck h = new Healthcheck();
      h.test = List.of("NONE");
      return h;
    }
    if (!any) {
      return current;
    }
    Healthcheck h = current == null ? new Healthcheck() : current;
    if (h.test != null && !h.test.isEmpty() && "NONE".equals(h.test.get(0))) {
      h.test = null;
    }
    if (cmd != null) {
      if (cmd.isBlank()) {
        throw new UsageException("invalid --health-cmd \"\": want a command, or --no-healthcheck to disable");
      }
      h.test = List.of("CMD-SHELL", cmd);
    }
    if (interval != null) {
      h.interval = duration("--health-interval", interval);
    }
    if (timeout != null) {
      h.timeout = duration("--health-timeout", timeout);
    }
    if (startPeriod != null) {
      h.startPeriod = duration("--health-start-period", startPeriod);
    }
    if (retries != null) {
      if (retries < 0) {
        throw new UsageException("invalid --health-retries " + retries + ": cannot be negative");
      }
      h.retries = retries;
    }
    return h;
  }

  private static long duration(String flag, long nanos) {
    if (nanos != 0 && nanos < MIN_DURATION) {
      throw new UsageException("invalid " + flag + ": must be 0 (inherit) or at least 1ms");
    }
    return nanos;
  }
}
