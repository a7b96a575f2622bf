package io.jswarm.cli.client;

import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.api.types.UpdateConfig;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --update-*} and {@code --rollback-*} flags of {@code service create} and {@code service update}, as
 * Docker names them; null means "not given" (create: Docker's default, update: leave as is).
 */
public class RolloutFlags {
  @Option(names = "--update-parallelism", description = "Maximum number of tasks updated simultaneously (0 to update all at once) (default 1).")
  public Long updateParallelism;

  @Option(names = "--update-delay", converter = FlagConverters.Duration.class, description = "Delay between updates (ns|us|ms|s|m|h) (default 0s).")
  public Long updateDelay;

  @Option(names = "--update-failure-action", description = "Action on update failure (pause, continue, rollback) (default pause).")
  public String updateFailureAction;

  @Option(names = "--update-monitor", converter = FlagConverters.Duration.class, description = "Duration after each task update to monitor for failure (ns|us|ms|s|m|h) (default 5s).")
  public Long updateMonitor;

  @Option(names = "--update-max-failure-ratio", description = "Failure rate to tolerate during an update (0 to 1) (default 0).")
  public Double updateMaxFailureRatio;

  @Option(names = "--update-order", description = "Update order (start-first, stop-first) (default stop-first).")
  public String updateOrder;

  @Option(names = "--rollback-parallelism", description = "Maximum number of tasks rolled back simultaneously (0 to roll back all at once) (default 1).")
  public Long rollbackParallelism;

  @Option(names = "--rollback-delay", converter = FlagConverters.Duration.class, description = "Delay between task rollbacks (ns|us|ms|s|m|h) (default 0s).")
  public Long rollbackDelay;

  @Option(names = "--rollback-failure-action", description = "Action on rollback failure (pause, continue) (default pause).")
  public String rollbackFailureAction;

  @Option(names = "--rollback-monitor", converter = FlagConverters.Duration.class, description = "Duration after each task rollback to monitor for failure (ns|us|ms|s|m|h) (default 5s).")
  public Long rollbackMonitor;

  @Option(names = "--rollback-max-failure-ratio", description = "Failure rate to tolerate during a rollback (0 to 1) (default 0).")
  public Double rollbackMaxFailureRatio;

  @Option(names = "--rollback-order", description = "Rollback order (start-first, stop-first) (default stop-first).")
  public String rollbackOrder;

  /**
   * Applies the given flags to {@code spec}. For a new service ({@code create}) both configs are filled with
   * Docker's defaults, as the docker CLI sends them; for an update only what was given changes. A job gets neither.
   *
   * @throws UsageException naming the flag when a value is not allowed
   */
  public void apply(ServiceSpec spec, boolean create) {
    if (spec.mode != null && spec.mode.isJob()) {
      if (anyUpdate() || anyRollback()) {
        throw new UsageException("--update-* and --rollback-* flags cannot be used with jobs: a job is not rolled out");
      }
      return; // as the docker CLI: a job has neither config
    }
    if (create || anyUpdate()) {
      spec.updateConfig = merge("--update", spec.updateConfig, create, updateParallelism, updateDelay,
          updateFailureAction, updateMonitor, updateMaxFailureRatio, updateOrder,
          List.of("pause", "continue", "rollback"));
    }
    if (create || anyRollback()) {
      spec.rollbackConfig = merge("--rollback", spec.rollbackConfig, create, rollbackParallelism, rollbackDelay,
          rollbackFailureAction, rollbackMonitor, rollbackMaxFailureRatio, rollbackOrder,
          List.of("pause", "continue"));
    }
  }

  private boolean anyUpdate() {
    return updateParallelism != null || updateDelay != null || updateFailureAction != null || updateMonitor != null
        || updateMaxFailureRatio != null || updateOrder != null;
  }

  private boolean anyRollback() {
    return rollbackParallelism != null || rollbackDelay != null || rollbackFailureAction != null
        || rollbackMonitor != null || rollbackMaxFailureRatio != null || rollbackOrder != null;
  }

  private static UpdateConfig merge(String prefix, UpdateConfig have, boolean create, Long parallelism, Long delay,
      String failureAction, Long monitor, Double ratio, String order, List<String> actions) {
    UpdateConfig u = have == null ? new UpdateConfig() : have;
    if (create) { // what the docker CLI sends for a new service
      u.parallelism = 1L;
      u.failureAction = "pause";
      u.monitor = 5_000_000_000L;
      u.maxFailureRatio = 0.0;
      u.order = "stop-first";
    }
    if (parallelism != null) {
      if (parallelism < 0) {
        throw new UsageException("invalid " + prefix + "-parallelism " + parallelism
            + ": give a number of tasks, 0 for all at once");
      }
      u.parallelism = parallelism;
    }
    if (delay != null) {
      if (delay < 0) {
        throw new UsageException("invalid " + prefix + "-delay: cannot be negative");
      }
      u.delay = delay;
    }
    if (failureAction != null) {
      if (!actions.contains(failureAction)) {
        throw new UsageException("invalid " + prefix + "-failure-action \"" + failureAction + "\": "
            + String.join(", ", actions));
      }
      u.failureAction = failureAction;
    }
    if (monitor != null) {
      if (monitor < 0) {
        throw new UsageException("invalid " + prefix + "-monitor: cannot be negative");
      }
      u.monitor = monitor;
    }
    if (ratio != null) {
      if (!(ratio >= 0 && ratio <= 1)) {
        throw new UsageException("invalid " + prefix + "-max-failure-ratio " + ratio + ": give a fraction from 0 to 1");
      }
      u.maxFailureRatio = ratio;
    }
    if (order != null) {
      if (!order.equals("start-first") && !order.equals("stop-first")) {
        throw new UsageException("invalid " + prefix + "-order \"" + order + "\": start-first or stop-first");
      }
      u.order = order;
    }
    return u;
  }
}
