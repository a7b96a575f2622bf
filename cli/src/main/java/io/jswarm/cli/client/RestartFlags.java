package io.jswarm.cli.client;

import io.jswarm.api.types.RestartPolicy;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --restart-*} flags of {@code service create} and {@code service update} (a picocli mixin, also filled by
 * {@code stack deploy}); null means "not given".
 */
public final class RestartFlags {
  /** Docker's restart delay when a policy is first set without one. */
  private static final long DEFAULT_DELAY = 5_000_000_000L;
  private static final List<String> CONDITIONS = List.of("none", "on-failure", "any");

  @Option(names = "--restart-condition", description = "Restart when condition is met (none, on-failure, any).")
  public String condition;

  @Option(names = "--restart-delay", converter = FlagConverters.Duration.class,
      description = "Delay between restart attempts (ns|us|ms|s|m|h).")
  public Long delay;

  @Option(names = "--restart-max-attempts", description = "Maximum number of restarts before giving up (0 = no limit).")
  public Long maxAttempts;

  @Option(names = "--restart-window", converter = FlagConverters.Duration.class,
      description = "Window used to evaluate the restart policy (ns|us|ms|s|m|h).")
  public Long window;

  /** {@code have} (may be null) with the flags given applied; {@code have} itself when none was. */
  RestartPolicy merge(RestartPolicy have) {
    return merge(have, condition, delay, maxAttempts, window);
  }

  /** {@code have} (may be null) with the values given (non-null) applied, from Docker's defaults when new. */
  static RestartPolicy merge(RestartPolicy have, String condition, Long delay, Long maxAttempts, Long window) {
    if (condition == null && delay == null && maxAttempts == null && window == null) {
      return have;
    }
    RestartPolicy p = have;
    if (p == null) {
      p = new RestartPolicy();
      p.condition = "any";
      p.delay = DEFAULT_DELAY;
      p.maxAttempts = 0L;
    }
    if (condition != null) {
      if (!CONDITIONS.contains(condition)) {
        throw new UsageException("invalid --restart-condition \"" + condition + "\": allowed are none, on-failure and any");
      }
      p.condition = condition;
    }
    if (delay != null) {
      p.delay = delay;
    }
    if (maxAttempts != null) {
      if (maxAttempts < 0) {
        throw new UsageException("invalid --restart-max-attempts " + maxAttempts + ": cannot be negative");
      }
      p.maxAttempts = maxAttempts;
    }
    if (window != null) {
      p.window = window;
    }
    return p;
  }
}
