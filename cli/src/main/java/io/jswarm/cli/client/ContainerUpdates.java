package io.jswarm.cli.client;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Healthcheck;
import io.jswarm.api.types.Limit;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.TaskSpec;
import java.util.ArrayList;
import java.util.List;

/** The container flags of {@code service update} that merge into the task template: args, pids limit, health. */
final class ContainerUpdates {
  private static final long MIN_HEALTH_DURATION = 1_000_000; // Docker: 0 (inherit) or at least 1 ms

  private ContainerUpdates() {}

  static void apply(TaskSpec task, ServiceUpdateFlags f) {
    ContainerSpec c = task.containerSpec;
    if (f.args != null) {
      c.args = f.args.isBlank() ? null : new ArrayList<>(ContainerFlags.words(f.args));
    }
    if (f.limitPids != null) {
      if (f.limitPids < 0) {
        throw new UsageException("invalid --limit-pids " + f.limitPids + ": cannot be negative (0 = unlimited)");
      }
      if (task.resources == null) {
        task.resources = new ResourceRequirements();
      }
      if (task.resources.limits == null) {
        task.resources.limits = new Limit();
      }
      task.resources.limits.pids = f.limitPids;
    }
    boolean any = f.healthCmd != null || f.healthInterval != null || f.healthTimeout != null
        || f.healthRetries != null || f.healthStartPeriod != null;
    if (f.noHealthcheck) {
      if (any) {
        throw new UsageException("--no-healthcheck conflicts with --health-* options");
      }
      Healthcheck h = new Healthcheck();
      h.test = List.of("NONE");
      c.healthcheck = h;
      return;
    }
    if (!any) {
      return;
    }
    Healthcheck h = c.healthcheck == null ? new Healthcheck() : c.healthcheck;
    if (h.test != null && !h.test.isEmpty() && "NONE".equals(h.test.get(0))) {
      h.test = null; // a --health-* flag turns a disabled check back on
    }
    if (f.healthCmd != null) {
      if (f.healthCmd.isBlank()) {
        throw new UsageException("invalid --health-cmd \"\": want a command, or --no-healthcheck to disable");
      }
      h.test = List.of("CMD-SHELL", f.healthCmd);
    }
    if (f.healthInterval != null) {
      h.interval = duration("--health-interval", f.healthInterval);
    }
    if (f.healthTimeout != null) {
      h.timeout = duration("--health-timeout", f.healthTimeout);
    }
    if (f.healthStartPeriod != null) {
      h.startPeriod = duration("--health-start-period", f.healthStartPeriod);
    }
    if (f.healthRetries != null) {
      if (f.healthRetries < 0) {
        throw new UsageException("invalid --health-retries " + f.healthRetries + ": cannot be negative");
      }
      h.retries = f.healthRetries;
    }
    c.healthcheck = h;
  }

  private static Long duration(String flag, Long nanos) {
    if (nanos != 0 && nanos < MIN_HEALTH_DURATION) {
      throw new UsageException("invalid " + flag + ": must be 0 (inherit) or at least 1ms");
    }
    return nanos;
  }
}
