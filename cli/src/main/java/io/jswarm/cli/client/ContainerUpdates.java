package io.jswarm.cli.client;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Limit;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.TaskSpec;
import java.util.ArrayList;

/**
 * The container flags of {@code service update} that merge into the task template: args, pids limit, blkio weight,
 * health, security options.
 */
final class ContainerUpdates {
  private ContainerUpdates() {}

  static void apply(TaskSpec task, ServiceUpdateFlags f) {
    ContainerSpec c = task.containerSpec;
    if (f.args != null) {
      c.args = f.args.isBlank() ? null : new ArrayList<>(ContainerFlags.words(f.args));
    }
    if (f.limitPids != null || f.blkioWeight != null || f.limitBandwidth != null) {
      if (task.resources == null) {
        task.resources = new ResourceRequirements();
      }
      if (task.resources.limits == null) {
        task.resources.limits = new Limit();
      }
      if (f.limitPids != null) {
        task.resources.limits.pids = ContainerFlags.pidsLimit(f.limitPids);
      }
      if (f.blkioWeight != null) {
        task.resources.limits.blkioWeight = ContainerFlags.blkioWeight(f.blkioWeight);
      }
      if (f.limitBandwidth != null) {
        task.resources.limits.bandwidth = ContainerFlags.bandwidth(f.limitBandwidth);
      }
    }
    c.healthcheck = f.health.merge(c.healthcheck);
    c.privileges = f.security.merge(c.privileges);
    c.usernsMode = f.security.usernsMode(c.usernsMode);
  }
}
